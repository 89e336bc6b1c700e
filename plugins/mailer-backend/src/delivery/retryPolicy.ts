import { SmtpReply } from '@elixeum/plugin-mailer-common';

/** How often and how long temporary failures are retried. */
export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** A message older than this is failed instead of retried. */
  maxAgeMs: number;
}

/**
 * Whether a failure may pass: 4xx replies and failures without a reply
 * (connection refused, timeout, dropped connection) are temporary; 5xx
 * replies are permanent.
 */
export function isTemporary(reply: SmtpReply): boolean {
  if (reply.responseCode === undefined) return true;
  return reply.responseCode >= 400 && reply.responseCode < 500;
}

/**
 * When to try again after the given attempt failed, or undefined to give
 * up. Exponential backoff with full jitter, so that a recovering server is
 * not hit by every waiting message at once.
 */
export function nextAttemptAt(
  reply: SmtpReply,
  attempts: number,
  createdAt: number,
  now: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (!isTemporary(reply) || attempts >= policy.maxAttempts) return undefined;
  const ceiling = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * 2 ** (attempts - 1),
  );
  const at = now + Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return at - createdAt > policy.maxAgeMs ? undefined : at;
}
