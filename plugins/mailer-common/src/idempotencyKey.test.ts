import { isIdempotencyKey, MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotencyKey';

describe('isIdempotencyKey', () => {
  it('takes 1 to 255 printable ASCII characters', () => {
    expect(isIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324')).toBe(true);
    expect(isIdempotencyKey('"quoted", with spaces ~')).toBe(true);
    expect(isIdempotencyKey('x'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH))).toBe(true);
  });

  it('refuses empty, long, non-ASCII and control characters', () => {
    expect(isIdempotencyKey('')).toBe(false);
    expect(isIdempotencyKey('x'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1))).toBe(
      false,
    );
    expect(isIdempotencyKey('clé')).toBe(false);
    expect(isIdempotencyKey('a\tb')).toBe(false);
    expect(isIdempotencyKey('a\r\nb')).toBe(false);
    expect(isIdempotencyKey(42)).toBe(false);
  });
});
