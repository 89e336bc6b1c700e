import {
  customSenderOf,
  loginOf,
  MailerStatus,
  mailerStatusOf,
  oauthProviderOf,
  SMTP_KEYS,
  transportOf,
} from '@elixeum/plugin-mailer-common';
import {
  defaultSecurityForPort,
  OAuthCredentials,
  SmtpLogin,
  SmtpSecurity,
  SmtpServerSettings,
} from '../smtp/SmtpServerSettings';

type Values = ReadonlyMap<string, string>;

/**
 * Which server a tenant's mail goes through, given the keys it has set.
 * Secrets only need to be present in `values`, not decrypted. The shared
 * rule, so the card's preview of unsaved edits says the same.
 */
export function statusOf(values: Values, defaultSender: string): MailerStatus {
  return mailerStatusOf(values, defaultSender);
}

function oauthCredentialsOf(values: Values): OAuthCredentials {
  const get = (key: string) => values.get(key)!;
  switch (oauthProviderOf(values)) {
    case 'microsoft':
      return {
        provider: 'microsoft',
        tenantId: get(SMTP_KEYS.oauthTenantId),
        clientId: get(SMTP_KEYS.oauthClientId),
        clientSecret: get(SMTP_KEYS.oauthClientSecret),
      };
    case 'google':
      return {
        provider: 'google',
        serviceAccountEmail: get(SMTP_KEYS.oauthServiceAccountEmail),
        privateKey: get(SMTP_KEYS.oauthPrivateKey),
      };
    default:
      return {
        provider: 'refresh-token',
        tokenUrl: get(SMTP_KEYS.oauthTokenUrl),
        clientId: get(SMTP_KEYS.oauthClientId),
        clientSecret: get(SMTP_KEYS.oauthClientSecret),
        refreshToken: get(SMTP_KEYS.oauthRefreshToken),
      };
  }
}

function loginFrom(values: Values): SmtpLogin | undefined {
  const user = values.get(SMTP_KEYS.username) ?? '';
  if (transportOf(values) === 'microsoft-graph') {
    return { kind: 'oauth2', user, oauth: oauthCredentialsOf(values) };
  }
  switch (loginOf(values)) {
    case 'none':
      return undefined;
    case 'xoauth2':
      return { kind: 'oauth2', user, oauth: oauthCredentialsOf(values) };
    default: {
      const method = values.get(SMTP_KEYS.authMethod);
      return {
        kind: 'password',
        user,
        pass: values.get(SMTP_KEYS.password)!,
        method:
          method === 'login' || method === 'plain'
            ? (method.toUpperCase() as 'LOGIN' | 'PLAIN')
            : undefined,
      };
    }
  }
}

/** The PEM certificates of a bundle, one string each. */
function certificatesOf(bundle: string | undefined): string[] | undefined {
  const found = bundle?.match(
    /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
  );
  return found && found.length > 0 ? found : undefined;
}

/**
 * The tenant's own server, or undefined while a required key is missing.
 * `values` must hold decrypted secrets.
 */
export function toCustomServer(
  values: Values,
  defaultSender: string,
): SmtpServerSettings | undefined {
  if (statusOf(values, defaultSender).server !== 'custom') return undefined;
  const graph = transportOf(values) === 'microsoft-graph';
  const port = graph ? 443 : Number(values.get(SMTP_KEYS.port));
  const fromName = values.get(SMTP_KEYS.fromName);
  const replyTo = values.get(SMTP_KEYS.replyTo);
  const heloName = values.get(SMTP_KEYS.heloName);
  const ca = certificatesOf(values.get(SMTP_KEYS.tlsCa));
  const verify = values.get(SMTP_KEYS.tlsRejectUnauthorized) !== 'false';
  const dkimDomain = values.get(SMTP_KEYS.dkimDomain);
  return {
    transport: graph ? 'microsoft-graph' : 'smtp',
    host: graph ? 'graph.microsoft.com' : values.get(SMTP_KEYS.server)!,
    port,
    security:
      (values.get(SMTP_KEYS.security) as SmtpSecurity | undefined) ??
      defaultSecurityForPort(port),
    auth: loginFrom(values),
    from: customSenderOf(values) ?? defaultSender,
    ...(fromName && { fromName }),
    ...(replyTo && { replyTo }),
    ...(heloName && { heloName }),
    ...((ca || !verify) && {
      tls: { ...(ca && { ca }), ...(!verify && { rejectUnauthorized: false }) },
    }),
    // Complete settings hold the selector and key whenever the domain is set.
    ...(dkimDomain && {
      dkim: {
        domain: dkimDomain,
        selector: values.get(SMTP_KEYS.dkimSelector)!,
        privateKey: values.get(SMTP_KEYS.dkimPrivateKey)!,
      },
    }),
  };
}
