import { retryDelay, RetryPolicy } from './retryPolicy';

const policy: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 1000,
  maxDelayMs: 10_000,
  maxAgeMs: 60_000,
};

describe('retry policy', () => {
  it('backs off exponentially with jitter, capped, and gives up after the last attempt', () => {
    const delay = (attempts: number, random: number) =>
      retryDelay(attempts, 0, policy, () => random);
    expect([delay(1, 0), delay(1, 1)]).toEqual([500, 1000]);
    expect([delay(2, 0), delay(2, 1)]).toEqual([1000, 2000]);
    expect([delay(3, 0), delay(3, 1)]).toEqual([2000, 4000]);
    expect(delay(4, 1)).toBe(8000);
    expect(delay(5, 1)).toBeUndefined();
  });

  it('never schedules past the maximum age', () => {
    expect(retryDelay(1, 59_900, policy, () => 1)).toBeUndefined();
    expect(retryDelay(1, 58_000, policy, () => 1)).toBe(1000);
  });
});
