import {
  DELIVERY_STATES,
  DeliveryState,
  FINAL_DELIVERY_STATES,
  SmtpReply,
  smtpReplyText,
} from '@elixeum/plugin-mailer-common';

const FINAL_STATES = FINAL_DELIVERY_STATES;

// Everything not final is still on its way; a state added later counts as waiting too.
const WAITING_STATES = DELIVERY_STATES.filter(
  state => !FINAL_STATES.includes(state),
);

type Counts = Partial<Record<DeliveryState, number>>;

/** Messages not final yet: queued, being sent, or waiting to be tried again. */
export function waitingOf(counts: Counts): number {
  return WAITING_STATES.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
}

/** All messages counted, whatever their state. */
export function totalOf(counts: Counts): number {
  return Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
}

/**
 * A campaign's counts in a few words: "9 sent · 1 failed · 0 waiting", and
 * "· 2 partly sent" when some messages reached only some recipients, and
 * "· 3 suppressed" when some recipients are on the suppression list.
 */
export function countsText(counts: Counts) {
  const partial = counts.partial ? ` · ${counts.partial} partly sent` : '';
  const suppressed = counts.suppressed
    ? ` · ${counts.suppressed} suppressed`
    : '';
  return `${counts.sent ?? 0} sent · ${counts.failed ?? 0} failed · ${waitingOf(
    counts,
  )} waiting${partial}${suppressed}`;
}

/**
 * The single messages as one line's end: "42 sent, 1 failed", with those
 * partly sent and still waiting only when there are any.
 */
export function singleMessagesText(counts: Counts): string {
  const parts = [`${counts.sent ?? 0} sent`, `${counts.failed ?? 0} failed`];
  if (counts.partial) parts.push(`${counts.partial} partly sent`);
  if (counts.suppressed) parts.push(`${counts.suppressed} suppressed`);
  const waiting = waitingOf(counts);
  if (waiting > 0) parts.push(`${waiting} waiting`);
  return parts.join(', ');
}

/**
 * What the server said, as one line with its code once: "550 5.1.1 User
 * unknown". Without a reply (the connection failed) only nodemailer's code
 * is left, e.g. "ECONNECTION".
 */
export function replyText(reply: SmtpReply | undefined): string {
  return smtpReplyText(reply) || reply?.code || '';
}
