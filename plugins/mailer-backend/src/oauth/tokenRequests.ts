import { webRequest } from '../net/webRequest';
import { AddressResolver } from '../net/addressResolver';
import { OAuthCredentials } from './credentials';
import { googleAssertion } from './googleAssertion';
import { TokenError } from './TokenError';

/** Where the operator's token endpoints are; tests point them at loopback. */
export interface TokenEndpoints {
  /** Default https://login.microsoftonline.com */
  microsoftAuthority: string;
  /** Default https://oauth2.googleapis.com/token */
  googleTokenUrl: string;
  /** PEM certificates to trust for them (and for a tenant's token URL). */
  extraCaCertificates: readonly string[];
  /** Checks a tenant's own token URL (refresh-token) against the server policy. */
  tenantResolver?: AddressResolver;
  timeoutMs: number;
}

/** An access token as issued. */
export interface IssuedToken {
  accessToken: string;
  /** Seconds it is valid for. */
  expiresIn: number;
  /** A new refresh token, when the endpoint rotated it. */
  refreshToken?: string;
}

/** The scope of SMTP submission, per provider. */
export const SMTP_SCOPE = {
  microsoft: 'https://outlook.office365.com/.default',
  google: 'https://mail.google.com/',
} as const;

/** The scope of Microsoft Graph with application permissions. */
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/**
 * What a refresh token is exchanged for at Microsoft: its v2 endpoint
 * requires a scope on every refresh, and without SMTP.Send it may issue a
 * token for another audience (Exchange then answers 535 5.7.3). Google's
 * refresh grant takes no scope: the token keeps the scope granted.
 */
export const MICROSOFT_DELEGATED_SMTP_SCOPE =
  'https://outlook.office.com/SMTP.Send offline_access';

/** Which grant a token request used, to tell its errors apart. */
export type TokenGrant = 'client_credentials' | 'jwt-bearer' | 'refresh_token';

/** Whether a tenant's token URL is Microsoft's: the public cloud, or the operator's authority. */
function isMicrosoftTokenUrl(url: URL, endpoints: TokenEndpoints): boolean {
  const authority = new URL(endpoints.microsoftAuthority);
  return (
    url.host === 'login.microsoftonline.com' || url.host === authority.host
  );
}

interface Exchange {
  url: URL;
  grant: TokenGrant;
  form: Record<string, string>;
  /** Endpoints a tenant names are checked by the server policy; the operator's are trusted. */
  tenantNamed: boolean;
}

function exchangeFor(
  credentials: OAuthCredentials,
  user: string,
  scope: string,
  endpoints: TokenEndpoints,
): Exchange {
  switch (credentials.provider) {
    case 'microsoft':
      return {
        url: new URL(
          `${endpoints.microsoftAuthority.replace(/\/+$/, '')}/${encodeURIComponent(credentials.tenantId)}/oauth2/v2.0/token`,
        ),
        grant: 'client_credentials',
        form: {
          grant_type: 'client_credentials',
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
          scope,
        },
        tenantNamed: false,
      };
    case 'google':
      return {
        url: new URL(endpoints.googleTokenUrl),
        grant: 'jwt-bearer',
        form: {
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion: googleAssertion({
            serviceAccountEmail: credentials.serviceAccountEmail,
            privateKey: credentials.privateKey,
            subject: user,
            scope,
            audience: endpoints.googleTokenUrl,
          }),
        },
        tenantNamed: false,
      };
    default: {
      const url = new URL(credentials.tokenUrl);
      return {
        url,
        grant: 'refresh_token',
        form: {
          grant_type: 'refresh_token',
          refresh_token: credentials.refreshToken,
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
          ...(isMicrosoftTokenUrl(url, endpoints) && {
            scope: MICROSOFT_DELEGATED_SMTP_SCOPE,
          }),
        },
        tenantNamed: true,
      };
    }
  }
}

function parseJson(body: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * Microsoft's AADSTS numbers: `error_codes`, or, from proxies and older
 * endpoints that drop it, the `AADSTSnnnn:` that starts the description.
 */
function microsoftErrorCodes(
  json: Record<string, unknown>,
): number[] | undefined {
  if (Array.isArray(json.error_codes)) {
    return json.error_codes.filter((c): c is number => typeof c === 'number');
  }
  const found =
    typeof json.error_description === 'string'
      ? json.error_description.match(/\bAADSTS(\d+)\b/)
      : null;
  return found ? [Number(found[1])] : undefined;
}

/**
 * Asks the provider's token endpoint for an access token: client
 * credentials (Microsoft), a signed service-account assertion (Google), or
 * a refresh token. Throws `TokenError` with what the endpoint said.
 */
export async function requestAccessToken(
  credentials: OAuthCredentials,
  user: string,
  scope: string,
  endpoints: TokenEndpoints,
): Promise<IssuedToken> {
  const exchange = exchangeFor(credentials, user, scope, endpoints);
  let response;
  try {
    response = await webRequest(exchange.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: new URLSearchParams(exchange.form).toString(),
      resolve: exchange.tenantNamed ? endpoints.tenantResolver : undefined,
      extraCaCertificates: endpoints.extraCaCertificates,
      timeoutMs: endpoints.timeoutMs,
    });
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    throw new TokenError(
      `The token endpoint ${exchange.url.host} could not be reached${code ? ` (${code})` : ''}`,
      {
        grant: exchange.grant,
        description: code === 'EPOLICY' ? message : undefined,
      },
    );
  }
  const json = parseJson(response.body);
  const accessToken = json.access_token;
  if (response.status === 200 && typeof accessToken === 'string') {
    const refreshToken = json.refresh_token;
    return {
      accessToken,
      expiresIn: Number(json.expires_in) > 0 ? Number(json.expires_in) : 3600,
      ...(typeof refreshToken === 'string' && { refreshToken }),
    };
  }
  const errorCodes = microsoftErrorCodes(json);
  throw new TokenError(
    `The token endpoint ${exchange.url.host} refused to issue a token (HTTP ${response.status}${typeof json.error === 'string' ? `, ${json.error}` : ''})`,
    {
      grant: exchange.grant,
      status: response.status,
      error: typeof json.error === 'string' ? json.error : undefined,
      errorCodes,
      description:
        typeof json.error_description === 'string'
          ? json.error_description.slice(0, 1000)
          : undefined,
    },
  );
}
