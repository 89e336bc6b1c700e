/**
 * The HTTP header a send carries its idempotency key in, as the IETF httpapi
 * draft "The Idempotency-Key HTTP Header Field" names it.
 *
 * @public
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/**
 * The longest idempotency key, in characters.
 *
 * @public
 */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

// Printable ASCII: a header value any proxy passes on unchanged.
const IDEMPOTENCY_KEY = new RegExp(
  `^[\\x20-\\x7e]{1,${MAX_IDEMPOTENCY_KEY_LENGTH}}$`,
);

/**
 * Whether a value can be a send's idempotency key: 1 to 255 printable ASCII
 * characters (space to `~`).
 *
 * @public
 */
export function isIdempotencyKey(value: unknown): value is string {
  return typeof value === 'string' && IDEMPOTENCY_KEY.test(value);
}
