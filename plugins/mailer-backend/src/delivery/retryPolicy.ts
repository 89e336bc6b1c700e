/** How often and how long temporary failures are retried. */
export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** A message older than this is failed instead of retried. */
  maxAgeMs: number;
}

/**
 * How long to wait before trying again after the given attempt failed for
 * now, or undefined to give up: attempts used up, or the message would be
 * older than `maxAgeMs` by then. Exponential backoff with full jitter, so
 * that a recovering server is not hit by every waiting message at once.
 */
export function retryDelay(
  attempts: number,
  ageMs: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (attempts >= policy.maxAttempts) return undefined;
  const ceiling = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * 2 ** (attempts - 1),
  );
  const delay = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return ageMs + delay > policy.maxAgeMs ? undefined : delay;
}
