import { isTemporary, nextAttemptAt, RetryPolicy } from './retryPolicy';

const policy: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 1000,
  maxDelayMs: 10_000,
  maxAgeMs: 60_000,
};

describe('retry policy', () => {
  it('treats 4xx and missing replies as temporary, 5xx as permanent', () => {
    expect(isTemporary({ responseCode: 421 })).toBe(true);
    expect(isTemporary({ responseCode: 451 })).toBe(true);
    expect(isTemporary({ code: 'ECONNECTION' })).toBe(true);
    expect(isTemporary({ responseCode: 550 })).toBe(false);
    expect(isTemporary({ responseCode: 535 })).toBe(false);
  });

  it('backs off exponentially with jitter, capped, and gives up after the last attempt', () => {
    const at = (attempts: number, random: number) =>
      nextAttemptAt(
        { responseCode: 451 },
        attempts,
        0,
        0,
        policy,
        () => random,
      );
    expect([at(1, 0), at(1, 1)]).toEqual([500, 1000]);
    expect([at(2, 0), at(2, 1)]).toEqual([1000, 2000]);
    expect([at(3, 0), at(3, 1)]).toEqual([2000, 4000]);
    expect(at(4, 1)).toBe(8000);
    expect(at(5, 1)).toBeUndefined();
  });

  it('never schedules past the maximum age, and never retries a permanent failure', () => {
    expect(
      nextAttemptAt({ responseCode: 451 }, 1, 0, 59_900, policy, () => 1),
    ).toBeUndefined();
    expect(
      nextAttemptAt({ responseCode: 550 }, 1, 0, 0, policy),
    ).toBeUndefined();
  });
});
