/**
 * The forms a password can take on the wire: as typed, and base64-encoded in
 * AUTH LOGIN and AUTH PLAIN. A server that echoes any of them back must not
 * get it into our errors.
 */
function wireForms(auth: { user: string; pass: string }): string[] {
  const { user, pass } = auth;
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return [
    pass,
    b64(pass),
    b64(`\0${user}\0${pass}`),
    b64(`${user}\0${user}\0${pass}`),
  ];
}

/** Replaces every form of the password in `text` with `[redacted]`. */
export function redactSecrets(
  text: string,
  auth: { user: string; pass: string } | undefined,
): string {
  if (!auth?.pass) return text;
  return wireForms(auth).reduce(
    (redacted, secret) => redacted.split(secret).join('[redacted]'),
    text,
  );
}
