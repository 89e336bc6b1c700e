import { recentAccessTokens } from '../oauth/issuedTokens';
import { secretsOf, SmtpServerSettings } from './SmtpServerSettings';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * The forms a secret can take on the wire: as typed, base64-encoded (AUTH
 * LOGIN), inside AUTH PLAIN, and an access token inside XOAUTH2. A server
 * that echoes any of them back must not get it into our errors or logs.
 */
function wireForms(server: SmtpServerSettings | undefined): string[] {
  const forms: string[] = [];
  const login = server?.auth;
  for (const secret of server ? secretsOf(server) : []) {
    forms.push(secret, b64(secret));
  }
  if (login?.kind === 'password') {
    const { user, pass } = login;
    forms.push(b64(`\0${user}\0${pass}`), b64(`${user}\0${user}\0${pass}`));
  }
  for (const [token, user] of recentAccessTokens()) {
    forms.push(token, b64(`user=${user}\x01auth=Bearer ${token}\x01\x01`));
  }
  // Longest first, so that a secret inside a longer form is not cut in two.
  return forms.filter(f => f.length >= 4).sort((a, b) => b.length - a.length);
}

/** Replaces every form of every secret of the server (and any access token) in `text` with `[redacted]`. */
export function redactSecrets(
  text: string,
  server: SmtpServerSettings | undefined,
): string {
  return wireForms(server).reduce(
    (redacted, secret) => redacted.split(secret).join('[redacted]'),
    text,
  );
}
