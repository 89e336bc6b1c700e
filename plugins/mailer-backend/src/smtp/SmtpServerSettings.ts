import { securityForPort } from '@elixeum/plugin-mailer-common';
import { OAuthCredentials } from '../oauth/credentials';

export type { OAuthCredentials } from '../oauth/credentials';

/** How a connection to an SMTP server is protected. */
export type SmtpSecurity = 'starttls' | 'tls' | 'none';

/** Every value `SmtpSecurity` can take, for validation. */
export const SMTP_SECURITY_VALUES: readonly SmtpSecurity[] = [
  'starttls',
  'tls',
  'none',
];

/** How the mailer logs in: a password (LOGIN or PLAIN), or OAuth2 tokens (XOAUTH2). */
export type SmtpLogin =
  | { kind: 'password'; user: string; pass: string; method?: 'LOGIN' | 'PLAIN' }
  | { kind: 'oauth2'; user: string; oauth: OAuthCredentials };

/** Everything needed to reach one server and send as one sender. */
export interface SmtpServerSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  /** Absent: no login (a relay that accepts the portal as it is). */
  auth?: SmtpLogin;
  /** The sender's address. */
  from: string;
  /** The name shown with the sender's address. */
  fromName?: string;
  /** Where replies go when a message does not say. */
  replyTo?: string;
  /** The name the mailer gives itself in EHLO. */
  heloName?: string;
  /** The tenant's own TLS trust: extra authorities, or (discouraged) none at all. */
  tls?: { ca?: string[]; rejectUnauthorized?: boolean };
  /** `smtp`, or the Microsoft Graph API (host and port are then unused). */
  transport?: 'smtp' | 'microsoft-graph';
  /** The tenant's DKIM key: every message through this server is signed with it, or not sent. */
  dkim?: DkimSigningKey;
}

/** A DKIM key the portal signs with: `d=` domain, `s=` selector and the private key in PEM. */
export interface DkimSigningKey {
  domain: string;
  selector: string;
  privateKey: string;
}

/** The security a server uses when none is chosen: the shared rule (implicit TLS on 465, STARTTLS elsewhere) the card suggests too. */
export function defaultSecurityForPort(port: number): SmtpSecurity {
  return securityForPort(port);
}

/**
 * Who a server's rate limit is counted for: one account on one server. Two
 * tenants that log in to the same server as the same user share its limit.
 */
export function accountOf(server: SmtpServerSettings): string {
  if (server.transport === 'microsoft-graph') {
    return `graph:${server.auth?.user ?? ''}`;
  }
  return `${server.host.toLowerCase()}:${server.port}:${server.auth?.user ?? ''}`;
}

/** Every secret a server's settings hold, to keep them out of texts. */
export function secretsOf(server: SmtpServerSettings): string[] {
  const signing = server.dkim ? [server.dkim.privateKey] : [];
  return [...signing, ...loginSecretsOf(server)];
}

function loginSecretsOf(server: SmtpServerSettings): string[] {
  const login = server.auth;
  if (!login) return [];
  if (login.kind === 'password') return [login.pass];
  const { oauth } = login;
  switch (oauth.provider) {
    case 'microsoft':
      return [oauth.clientSecret];
    case 'google':
      return [oauth.privateKey];
    default:
      return [oauth.clientSecret, oauth.refreshToken];
  }
}

/**
 * Whether a password may go to this server over a connection without TLS:
 * only on loopback (it never leaves the machine), or where the operator
 * allowed it (`mailer.allowInsecureAuth`).
 */
export function mayLogInWithoutTls(
  host: string,
  operatorAllows: boolean,
): boolean {
  if (operatorAllows || host === 'localhost') return true;
  const bare = host.replace(/^\[|\]$/g, '');
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) || bare === '::1';
}
