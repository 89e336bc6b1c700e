import {
  addressOf,
  DeliveryState,
  DeliveryStatus,
  MailAddress,
  RecipientDelivery,
  RecipientSuppression,
  SmtpReply,
} from '@elixeum/plugin-mailer-common';
import { cleanServerText } from '../text/cleanServerText';

// The outbox's tables and how their rows read; shared by the stores that
// queue, claim, report on and clean up mail.

export const CAMPAIGNS = 'mailer_campaigns';
export const OUTBOX = 'mailer_outbox';
export const CAMPAIGN_BATCHES = 'mailer_campaign_batches';

/**
 * The states a row is stored in. `waiting` covers both queued and retrying
 * (told apart by whether an attempt failed before), so that one index
 * serves every claim; `partial` and `suppressed` are final like `sent` and
 * `failed`.
 */
export type StoredState =
  'waiting' | 'sending' | 'sent' | 'partial' | 'failed' | 'suppressed';

/** The states nothing more happens to. */
export const FINAL_STORED_STATES: readonly StoredState[] = [
  'sent',
  'partial',
  'failed',
  'suppressed',
];

/** Who gets one message: all of `to`, `cc` and `bcc` for a single message; one `to` in a bulk mailing. */
export interface MessageRecipients {
  to: MailAddress[];
  cc?: MailAddress[];
  bcc?: MailAddress[];
}

/**
 * Each recipient's result so far, by address in lower case. A `suppressed`
 * recipient is on the tenant's suppression list: not sent, not failed.
 */
export type RecipientResults = Record<
  string,
  {
    state: 'sent' | 'failed' | 'deferred' | 'suppressed';
    reply?: SmtpReply;
    suppression?: RecipientSuppression;
  }
>;

export type Row = Record<string, any>;

const num = (value: unknown) =>
  value === null || value === undefined ? undefined : Number(value);

/** An epoch-milliseconds column as an ISO date, or undefined when empty. */
export const iso = (ms: unknown) =>
  ms === null || ms === undefined
    ? undefined
    : new Date(Number(ms)).toISOString();

/** Every address a message goes to, as the envelope lists them. */
export function envelopeAddresses(recipients: MessageRecipients): string[] {
  return [
    ...recipients.to,
    ...(recipients.cc ?? []),
    ...(recipients.bcc ?? []),
  ].map(addressOf);
}

/** The key of an address in `RecipientResults`. */
export const resultKey = (address: string) => address.toLowerCase();

/** The addresses that still need an attempt: neither sent nor failed for good. */
export function pendingAddresses(
  recipients: MessageRecipients,
  results: RecipientResults,
): string[] {
  return envelopeAddresses(recipients).filter(address => {
    const result = results[resultKey(address)];
    return !result || result.state === 'deferred';
  });
}

export function parseResults(value: unknown): RecipientResults {
  return typeof value === 'string' && value ? JSON.parse(value) : {};
}

/**
 * A row's recipients, or undefined when the stored text cannot be read (a
 * corrupted row): such a message fails by itself, never its neighbours.
 */
export function parseRecipients(value: unknown): MessageRecipients | undefined {
  try {
    const parsed = JSON.parse(String(value));
    return Array.isArray(parsed?.to) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A reply as stored: cleaned, whoever wrote it, so no engine can refuse the row. */
export function replyColumns(reply: SmtpReply): Row {
  return {
    last_response_code: storableCode(reply.responseCode),
    last_reply:
      reply.response === undefined ? null : cleanServerText(reply.response),
    last_error_code:
      reply.code === undefined ? null : cleanServerText(reply.code, 32),
  };
}

/** A reply code that fits an integer column, or null. */
export function storableCode(code: number | undefined): number | null {
  return code !== undefined &&
    Number.isInteger(code) &&
    code >= 0 &&
    code < 1000
    ? code
    : null;
}

export function toReply(row: Row): SmtpReply | undefined {
  if (
    row.last_response_code === null &&
    row.last_reply === null &&
    row.last_error_code === null
  ) {
    return undefined;
  }
  return {
    responseCode: num(row.last_response_code),
    response: row.last_reply ?? undefined,
    code: row.last_error_code ?? undefined,
  };
}

/** The state the API reports for a stored state. */
export function publicState(row: Row): DeliveryState {
  if (row.state !== 'waiting') return row.state as DeliveryState;
  return toReply(row) ? 'retrying' : 'queued';
}

export function toRecipientDeliveries(row: Row): RecipientDelivery[] {
  const results = parseResults(row.recipient_results);
  // Rows sent before per-recipient results were kept list refused addresses only.
  const legacyRefused: string[] | undefined =
    row.recipient_results === null && row.rejected
      ? JSON.parse(row.rejected).map(resultKey)
      : undefined;
  const recipients = parseRecipients(row.recipients) ?? { to: [] };
  return envelopeAddresses(recipients).map(address => {
    const result = results[resultKey(address)];
    if (result) {
      return {
        address,
        state: result.state,
        reply: result.reply,
        ...(result.suppression && { suppression: result.suppression }),
      };
    }
    // Sent without results: every recipient got it.
    if (row.state === 'sent') {
      const refused = legacyRefused?.includes(resultKey(address));
      return { address, state: refused ? 'failed' : 'sent' };
    }
    return { address, state: 'pending' };
  });
}

export function toStatus(row: Row): DeliveryStatus {
  const recipients = toRecipientDeliveries(row);
  const state = publicState(row);
  return {
    id: row.id,
    campaignId: row.campaign_id,
    state,
    attempts: Number(row.attempts),
    messageId: row.smtp_message_id ?? undefined,
    rejected: recipients.filter(r => r.state === 'failed').map(r => r.address),
    recipients,
    lastReply: toReply(row),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    sentAt: iso(row.sent_at),
    nextAttemptAt: state === 'retrying' ? iso(row.next_attempt_at) : undefined,
  };
}
