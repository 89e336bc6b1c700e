import {
  createServer as createHttpServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import { randomBytes, verify } from 'node:crypto';
import { simpleParser, ParsedMail } from 'mailparser';
import { PemCertificate } from './selfSignedCertificate';

/** A Microsoft Entra app registration with a client secret. */
export interface MicrosoftApp {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/** A Google service account allowed domain-wide delegation for `subjects`. */
export interface GoogleServiceAccount {
  email: string;
  /** PEM public key, to verify the assertion's signature. */
  publicKey: string;
  /** Mailboxes it may act for; anyone else gets `unauthorized_client`. */
  subjects: string[];
}

/** A client holding a refresh token (delegated consent). */
export interface RefreshClient {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Issue a new refresh token with every access token, as Microsoft does. */
  rotate?: boolean;
  /**
   * More refresh tokens this client holds (other users' or later consents),
   * each good for one use when `rotate` is set, like `refreshToken`.
   */
  otherGrants?: string[];
  /**
   * Refuse a refresh without this scope, as Microsoft's v2 endpoint does
   * (AADSTS90014); the token is then issued for the scope asked for.
   */
  requireScope?: string;
}

/** An access token as issued. */
export interface IssuedAccessToken {
  token: string;
  grant: 'client_credentials' | 'jwt-bearer' | 'refresh_token';
  scope: string;
  /** Whom it acts for: the Google subject, or undefined for an app token. */
  subject?: string;
  expiresAt: number;
}

/** A message Microsoft Graph was asked to send. */
export interface GraphSendRequest {
  mailbox: string;
  token: string;
  /** The MIME message, decoded from base64. */
  mime: string;
}

/** A MIME message as a mail client reads it: headers, parts, attachments. */
export function parseMime(mime: string): Promise<ParsedMail> {
  return simpleParser(mime);
}

/** A reply the Graph endpoint gives instead of 202. */
export interface GraphReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface OAuthTestEndpointOptions {
  /** Serve HTTPS with this certificate; plain HTTP without it. */
  certificate?: PemCertificate;
  /** How long an access token lives; default one hour. */
  tokenLifetimeSeconds?: number;
  microsoft?: MicrosoftApp;
  google?: GoogleServiceAccount;
  refresh?: RefreshClient;
  /** Return a reply to refuse a Graph send with it, e.g. 429. */
  graphReply?: (request: GraphSendRequest) => GraphReply | undefined;
  /**
   * Return a reply to answer a token request with it instead, e.g. an
   * error with an AADSTS code; see `tokenError`.
   */
  tokenReply?: (request: TokenRequestSeen) => GraphReply | undefined;
}

/** A token request as the endpoint received it. */
export interface TokenRequestSeen {
  path: string;
  form: Record<string, string>;
}

const GOOGLE_SCOPE_PREFIX = 'https://mail.google.com/';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, reply: GraphReply): void {
  response.writeHead(reply.status, {
    'Content-Type': 'application/json',
    ...reply.headers,
  });
  response.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
}

/** An error as identity providers answer it; Microsoft adds its AADSTS number. */
export function tokenError(
  status: number,
  error: string,
  description: string,
): GraphReply {
  const aadsts = description.match(/^AADSTS(\d+)/);
  return {
    status,
    body: {
      error,
      error_description: description,
      ...(aadsts && { error_codes: [Number(aadsts[1])] }),
    },
  };
}

function decodeJwtPart(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/**
 * The identity providers' token endpoints and Microsoft Graph's sendMail on
 * loopback, for tests: Microsoft client credentials
 * (`/{tenant}/oauth2/v2.0/token`), Google's service-account assertion
 * (`/google/token`, signature verified with the account's public key), a
 * refresh-token grant (`/refresh/token`) and `POST
 * /v1.0/users/{mailbox}/sendMail`. It records every token request and every
 * Graph send, and tells SMTP test servers which tokens it issued.
 */
export class OAuthTestEndpoint {
  readonly tokenRequests: TokenRequestSeen[] = [];
  readonly issued: IssuedAccessToken[] = [];
  readonly graphRequests: GraphSendRequest[] = [];
  /** While false, every connection is dropped, as a host that is down. */
  available = true;
  private server?: Server;
  private address?: AddressInfo;
  private readonly sockets = new Set<Socket>();

  constructor(readonly options: OAuthTestEndpointOptions = {}) {}

  static async start(
    options: OAuthTestEndpointOptions = {},
  ): Promise<OAuthTestEndpoint> {
    const endpoint = new OAuthTestEndpoint(options);
    await endpoint.listen();
    return endpoint;
  }

  /** e.g. `https://127.0.0.1:51234` */
  get baseUrl(): string {
    const scheme = this.options.certificate ? 'https' : 'http';
    return `${scheme}://127.0.0.1:${this.address!.port}`;
  }

  /** Whether `token` was issued here for `scope` and has not expired. */
  isValid(token: string, scope?: string): boolean {
    const issued = this.issued.find(t => t.token === token);
    return (
      issued !== undefined &&
      issued.expiresAt > Date.now() &&
      (scope === undefined || issued.scope.split(' ').includes(scope))
    );
  }

  /** The current refresh token (after rotations). */
  get refreshToken(): string | undefined {
    return this.options.refresh?.refreshToken;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>(
      resolve => this.server?.close(() => resolve()) ?? resolve(),
    );
  }

  private async listen(): Promise<void> {
    const handler = (request: IncomingMessage, response: ServerResponse) => {
      this.handle(request, response).catch(error =>
        send(response, { status: 500, body: { error: String(error) } }),
      );
    };
    const { certificate } = this.options;
    const server = certificate
      ? createHttpsServer(
          { cert: certificate.cert, key: certificate.key },
          handler,
        )
      : createHttpServer(handler);
    // Connections are tracked on the TCP level so "down" drops HTTPS ones too.
    server.on('connection', (socket: Socket) => {
      if (!this.available) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    this.address = server.address() as AddressInfo;
  }

  private async handle(
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const body = await readBody(request);
    const graph = path.match(/^\/v1\.0\/users\/([^/]+)\/sendMail$/);
    if (request.method === 'POST' && graph) {
      send(
        response,
        this.graphSend(decodeURIComponent(graph[1]), request, body),
      );
      return;
    }
    const form = Object.fromEntries(new URLSearchParams(body));
    this.tokenRequests.push({ path, form });
    const override = this.options.tokenReply?.({ path, form });
    if (override) {
      send(response, override);
      return;
    }
    const microsoft = path.match(/^\/([^/]+)\/oauth2\/v2\.0\/token$/);
    let reply: GraphReply;
    if (microsoft)
      reply = this.microsoftToken(decodeURIComponent(microsoft[1]), form);
    else if (path === '/google/token') reply = this.googleToken(form);
    else if (path === '/refresh/token') reply = this.refreshGrant(form);
    else reply = { status: 404, body: { error: 'not_found' } };
    send(response, reply);
  }

  private issue(
    grant: IssuedAccessToken['grant'],
    scope: string,
    subject?: string,
  ): IssuedAccessToken {
    const lifetime = this.options.tokenLifetimeSeconds ?? 3600;
    const token: IssuedAccessToken = {
      token: `at-${randomBytes(12).toString('hex')}`,
      grant,
      scope,
      subject,
      expiresAt: Date.now() + lifetime * 1000,
    };
    this.issued.push(token);
    return token;
  }

  private granted(token: IssuedAccessToken, extra: object = {}): GraphReply {
    const lifetime = this.options.tokenLifetimeSeconds ?? 3600;
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        access_token: token.token,
        expires_in: lifetime,
        ...extra,
      },
    };
  }

  private microsoftToken(
    tenantId: string,
    form: Record<string, string>,
  ): GraphReply {
    const app = this.options.microsoft;
    if (!app || tenantId !== app.tenantId) {
      return tokenError(
        400,
        'invalid_request',
        `AADSTS90002: Tenant '${tenantId}' not found.`,
      );
    }
    if (form.grant_type !== 'client_credentials') {
      return tokenError(
        400,
        'unsupported_grant_type',
        'AADSTS70003: unsupported grant type',
      );
    }
    if (form.client_id !== app.clientId) {
      return tokenError(
        400,
        'unauthorized_client',
        `AADSTS700016: Application with identifier '${form.client_id}' was not found in the directory.`,
      );
    }
    if (form.client_secret !== app.clientSecret) {
      return tokenError(
        401,
        'invalid_client',
        `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
      );
    }
    return this.granted(this.issue('client_credentials', form.scope ?? ''));
  }

  private googleToken(form: Record<string, string>): GraphReply {
    const account = this.options.google;
    if (form.grant_type !== JWT_BEARER || !account) {
      return tokenError(400, 'unsupported_grant_type', 'Invalid grant_type');
    }
    const parts = (form.assertion ?? '').split('.');
    if (parts.length !== 3)
      return tokenError(400, 'invalid_grant', 'Invalid JWT');
    const [header, payload, signature] = parts;
    const signed = verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      account.publicKey,
      Buffer.from(signature, 'base64url'),
    );
    if (!signed || decodeJwtPart(header).alg !== 'RS256') {
      return tokenError(400, 'invalid_grant', 'Invalid JWT Signature.');
    }
    const claims = decodeJwtPart(payload);
    const now = Date.now() / 1000;
    if (
      claims.iss !== account.email ||
      claims.aud !== `${this.baseUrl}/google/token` ||
      typeof claims.exp !== 'number' ||
      claims.exp < now ||
      typeof claims.iat !== 'number' ||
      claims.iat > now + 60
    ) {
      return tokenError(400, 'invalid_grant', 'Invalid JWT: claims');
    }
    const subject = String(claims.sub);
    const scope = String(claims.scope);
    if (
      !account.subjects.includes(subject) ||
      !scope.startsWith(GOOGLE_SCOPE_PREFIX)
    ) {
      return tokenError(
        401,
        'unauthorized_client',
        'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
      );
    }
    return this.granted(this.issue('jwt-bearer', scope, subject));
  }

  private refreshGrant(form: Record<string, string>): GraphReply {
    const client = this.options.refresh;
    if (!client || form.grant_type !== 'refresh_token') {
      return tokenError(400, 'unsupported_grant_type', 'Invalid grant_type');
    }
    if (
      form.client_id !== client.clientId ||
      form.client_secret !== client.clientSecret
    ) {
      return tokenError(
        401,
        'invalid_client',
        'The OAuth client was not found.',
      );
    }
    const others = client.otherGrants ?? [];
    const main = form.refresh_token === client.refreshToken;
    if (!main && !others.includes(form.refresh_token)) {
      return tokenError(
        400,
        'invalid_grant',
        'Token has been expired or revoked.',
      );
    }
    if (
      client.requireScope &&
      !(form.scope ?? '').split(' ').includes(client.requireScope)
    ) {
      return tokenError(
        400,
        'invalid_request',
        `AADSTS90014: The required field 'scope' is missing or does not include ${client.requireScope}.`,
      );
    }
    const token = this.issue('refresh_token', form.scope ?? 'mail');
    if (!client.rotate) return this.granted(token);
    const rotated = `rt-${randomBytes(12).toString('hex')}`;
    if (main) client.refreshToken = rotated;
    else others[others.indexOf(form.refresh_token)] = rotated;
    return this.granted(token, { refresh_token: rotated });
  }

  private graphSend(
    mailbox: string,
    request: IncomingMessage,
    body: string,
  ): GraphReply {
    const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!this.isValid(token, 'https://graph.microsoft.com/.default')) {
      return {
        status: 401,
        body: {
          error: {
            code: 'InvalidAuthenticationToken',
            message: 'Access token has expired or is not yet valid.',
          },
        },
      };
    }
    const sent: GraphSendRequest = {
      mailbox,
      token,
      mime: Buffer.from(body, 'base64').toString('utf8'),
    };
    const refusal = this.options.graphReply?.(sent);
    if (refusal) return refusal;
    this.graphRequests.push(sent);
    return { status: 202 };
  }
}
