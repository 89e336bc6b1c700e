import { createHash } from 'node:crypto';
import { createSecureContext, rootCertificates, SecureContext } from 'node:tls';
import { LruMap } from '../cache/LruMap';

/** Sets of extra certificates in use at once: the operator's, and tenants' own. */
const KEPT = 256;

const contexts = new LruMap<string, SecureContext>(KEPT);

/**
 * A TLS context that trusts the public roots and `extra` (PEM), built once
 * per set of certificates and kept. A `ca` option on each connection would
 * make Node parse the ~150 public roots again every time (about 50 ms, and
 * memory), which a lane opening connections, or a token request, would pay
 * each time.
 */
export function trustedContext(
  extra: readonly string[],
  minVersion: 'TLSv1.2' | 'TLSv1.3' = 'TLSv1.2',
): SecureContext {
  const key = createHash('sha256')
    .update(minVersion)
    .update('\0')
    .update(extra.join('\0'))
    .digest('hex');
  let context = contexts.use(key);
  if (!context) {
    context = createSecureContext({
      ca: [...rootCertificates, ...extra],
      minVersion,
    });
    contexts.set(key, context);
  }
  return context;
}
