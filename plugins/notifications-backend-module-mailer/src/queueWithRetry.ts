import { setTimeout as delay } from 'node:timers/promises';

/** Errors that another attempt cannot fix: the mailer refused the request itself. */
const FINAL_ERRORS = new Set([
  'InputError',
  'NotAllowedError',
  'NotFoundError',
  'ConflictError',
]);

/** Waits before the 2nd and 3rd attempt: enough for a mailer replica to restart behind a load balancer. */
const RETRY_DELAYS_MS = [500, 2000];

/**
 * Runs `enqueue` until it succeeds, trying again after a short wait when the
 * mailer could not be reached or answered with a server error. `enqueue`
 * must be idempotent (a send with the same key each time): a try whose
 * answer was lost may have queued. Once queued, delivery and its retries
 * are the mailer outbox's.
 */
export async function queueWithRetry<T>(
  enqueue: () => Promise<T>,
  delaysMs: readonly number[] = RETRY_DELAYS_MS,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await enqueue();
    } catch (error) {
      const name = (error as Error)?.name;
      if (FINAL_ERRORS.has(name) || attempt >= delaysMs.length) throw error;
      await delay(delaysMs[attempt]);
    }
  }
}
