import { createHash } from 'node:crypto';
import { SmtpServerSettings } from '../smtp/SmtpServerSettings';

// A lane is one server with one version of its settings. Its key names it in
// pauses, shared by every replica; it never contains a secret.

const sha256 = (text: string) =>
  createHash('sha256').update(text).digest('hex');

/** The default mailbox's lane: a new key when the operator changes its config. */
export function defaultLaneKey(server: SmtpServerSettings): string {
  const { host, port, security, auth, from } = server;
  return sha256(
    JSON.stringify(['default', host, port, security, auth?.user, from]),
  );
}

/**
 * A tenant server's lane, by the fingerprint of its stored settings (which
 * hashes ciphertexts, not passwords): changed settings get a new lane, so a
 * fixed password is tried at once, not after the old lane's pause.
 */
export function tenantLaneKey(tenantId: string, fingerprint: string): string {
  return sha256(JSON.stringify(['tenant', tenantId, fingerprint]));
}

/** Who a rate limit counts for, as a key. */
export function accountKey(account: string): string {
  return sha256(account);
}
