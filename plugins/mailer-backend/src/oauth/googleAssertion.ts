import { createSign } from 'node:crypto';

const base64url = (data: string | Buffer) =>
  Buffer.from(data).toString('base64url');

/**
 * The signed JWT a Google service account exchanges for an access token for
 * `subject` (domain-wide delegation): RS256 over header and claims, valid
 * for an hour.
 */
export function googleAssertion(options: {
  serviceAccountEmail: string;
  privateKey: string;
  subject: string;
  scope: string;
  audience: string;
  now?: number;
}): string {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(
    JSON.stringify({
      iss: options.serviceAccountEmail,
      sub: options.subject,
      scope: options.scope,
      aud: options.audience,
      iat,
      exp: iat + 3600,
    }),
  );
  const signature = createSign('RSA-SHA256')
    .update(`${header}.${claims}`)
    .sign(options.privateKey);
  return `${header}.${claims}.${base64url(signature)}`;
}
