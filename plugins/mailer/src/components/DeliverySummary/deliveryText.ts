import {
  DELIVERY_STATES,
  DeliveryState,
  FINAL_DELIVERY_STATES,
  SmtpReply,
} from '@elixeum/plugin-mailer-common';

const FINAL_STATES = FINAL_DELIVERY_STATES;

// Everything not final is still on its way; a state added later counts as waiting too.
const WAITING_STATES = DELIVERY_STATES.filter(
  state => !FINAL_STATES.includes(state),
);

/**
 * A campaign's counts in a few words: "9 sent · 1 failed · 0 waiting", and
 * "· 2 partly sent" when some messages reached only some recipients.
 */
export function countsText(counts: Partial<Record<DeliveryState, number>>) {
  const waiting = WAITING_STATES.reduce(
    (sum, state) => sum + (counts[state] ?? 0),
    0,
  );
  const partial = counts.partial ? ` · ${counts.partial} partly sent` : '';
  return `${counts.sent ?? 0} sent · ${counts.failed ?? 0} failed · ${waiting} waiting${partial}`;
}

/**
 * What the server said, as one line: "550 5.1.1 User unknown (EENVELOPE)".
 * Without a reply (the connection failed) only nodemailer's code is left.
 */
export function replyText(reply: SmtpReply | undefined): string {
  const said = [reply?.responseCode, reply?.response]
    .filter(part => part !== undefined && part !== '')
    .join(' ');
  if (!reply?.code) return said;
  return said ? `${said} (${reply.code})` : reply.code;
}
