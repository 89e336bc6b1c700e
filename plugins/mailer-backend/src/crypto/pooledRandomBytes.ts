import { randomBytes } from 'node:crypto';

/** Bytes drawn from the CSPRNG at once: one call serves hundreds of messages. */
const POOL_BYTES = 4096;

let pool = Buffer.alloc(0);
let used = 0;

/**
 * Cryptographically random bytes, as `randomBytes` gives them, taken from a
 * pooled buffer: each call into the CSPRNG costs microseconds, and every
 * message needs a few small values (an IV, a MIME boundary). No byte is
 * handed out twice: a used-up pool is replaced, never refilled, so the
 * buffers handed out stay as they were.
 */
export function pooledRandomBytes(size: number): Buffer {
  if (size > POOL_BYTES) return randomBytes(size);
  if (used + size > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  const bytes = pool.subarray(used, used + size);
  used += size;
  return bytes;
}
