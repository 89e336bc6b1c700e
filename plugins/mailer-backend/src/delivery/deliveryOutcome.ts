import { SmtpReply } from '@elixeum/plugin-mailer-common';
import { ClaimedMessage, DeliveryOutcome } from '../database/OutboxClaims';
import {
  pendingAddresses,
  RecipientResults,
  resultKey,
} from '../database/outboxRows';
import { SmtpRecipientRefusal } from '../transport/MailTransport';
import { retryDelay, RetryPolicy } from './retryPolicy';

/** What one attempt did for each recipient it tried. */
export interface AttemptResult {
  accepted: string[];
  refused: SmtpRecipientRefusal[];
}

const isTemporaryCode = (code: number | undefined) =>
  code === undefined || (code >= 400 && code < 500);

function refusalReply(refusal: SmtpRecipientRefusal): SmtpReply {
  return { responseCode: refusal.responseCode, response: refusal.response };
}

/**
 * The results after an attempt: accepted recipients are sent; refused ones
 * are deferred (4xx: tried again later, and only they) or failed (5xx).
 */
export function mergeAttempt(
  previous: RecipientResults,
  attempt: AttemptResult,
): RecipientResults {
  const results = { ...previous };
  for (const address of attempt.accepted) {
    results[resultKey(address)] = { state: 'sent' };
  }
  for (const refusal of attempt.refused) {
    results[resultKey(refusal.recipient)] = {
      state: isTemporaryCode(refusal.responseCode) ? 'deferred' : 'failed',
      reply: refusalReply(refusal),
    };
  }
  return results;
}

/** Marks every recipient of `addresses` with the same result. */
export function markAll(
  previous: RecipientResults,
  addresses: string[],
  state: 'deferred' | 'failed',
  reply: SmtpReply,
): RecipientResults {
  const results = { ...previous };
  for (const address of addresses) {
    results[resultKey(address)] = { state, reply };
  }
  return results;
}

/**
 * How a message stands after an attempt: tried again later while some
 * recipients are deferred (and attempts and age allow), otherwise final:
 * `sent` to all, `partial` when some refused it for good, `failed` when
 * nobody got it.
 */
export function settle(
  message: ClaimedMessage,
  results: RecipientResults,
  lastReply: SmtpReply,
  messageId: string,
  policy: RetryPolicy,
): DeliveryOutcome {
  const pending = pendingAddresses(message.recipients, results);
  if (pending.length > 0) {
    const delayMs = retryDelay(
      message.attempts,
      message.claimedAt - message.createdAt,
      policy,
    );
    if (delayMs !== undefined) {
      return {
        kind: 'retry',
        id: message.id,
        delayMs,
        reply: lastReply,
        results,
      };
    }
  }
  return giveUp(message, results, lastReply, messageId);
}

/**
 * A final outcome (out of attempts or time): what is still deferred has
 * failed; `sent` to all, `partial` when some refused it for good, `failed`
 * when nobody got it.
 */
export function giveUp(
  message: ClaimedMessage,
  previous: RecipientResults,
  lastReply: SmtpReply,
  messageId: string,
): DeliveryOutcome {
  const results = { ...previous };
  for (const address of pendingAddresses(message.recipients, results)) {
    const earlier = results[resultKey(address)]?.reply;
    results[resultKey(address)] = {
      state: 'failed',
      reply: earlier ?? lastReply,
    };
  }
  const states = Object.values(results).map(r => r.state);
  if (states.includes('sent')) {
    return {
      kind: 'delivered',
      id: message.id,
      state: states.includes('failed') ? 'partial' : 'sent',
      messageId,
      results,
    };
  }
  return { kind: 'failed', id: message.id, reply: lastReply, results };
}

/** The first reply that refused a recipient for now, else the first for good. */
export function firstRefusal(
  refused: SmtpRecipientRefusal[],
): SmtpReply | undefined {
  const deferred = refused.find(r => isTemporaryCode(r.responseCode));
  const chosen = deferred ?? refused[0];
  return chosen && refusalReply(chosen);
}
