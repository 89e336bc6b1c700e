import {
  DeliveryStatus,
  DeliverySummary,
  SmtpReply,
} from '@elixeum/plugin-mailer-common';

// Anything shaped like local@domain, also inside a server reply or a subject.
const ADDRESS = /[^\s<>()[\]{},;:"'`]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;

/** `ada@example.com` → `a***@example.com`: enough to recognise, not to harvest. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

/** The text with every mail address in it masked. */
export function maskAddressesIn(text: string): string {
  return text.replace(ADDRESS, match => maskAddress(match));
}

/**
 * The summary as someone who may see delivery records but not manage the
 * settings sees it: recipients masked, also where a reply, a subject or the
 * reason of a pause names them. Everything else is kept as it is.
 */
export function maskDeliverySummary(summary: DeliverySummary): DeliverySummary {
  const { pause } = summary;
  return {
    ...summary,
    ...(pause && {
      pause: {
        ...pause,
        reason: maskAddressesIn(pause.reason),
        reply: pause.reply && maskReply(pause.reply),
      },
    }),
    campaigns: summary.campaigns.map(c => ({
      ...c,
      subject: maskAddressesIn(c.subject),
    })),
    recentFailures: summary.recentFailures.map(f => ({
      ...f,
      subject: maskAddressesIn(f.subject),
      recipients: f.recipients.map(maskAddress),
      reply: f.reply && maskReply(f.reply),
    })),
  };
}

/**
 * A message's delivery record as the delivery view's masked readers see
 * it: every recipient masked, also in the replies.
 */
export function maskDeliveryStatus(status: DeliveryStatus): DeliveryStatus {
  return {
    ...status,
    rejected: status.rejected.map(maskAddress),
    recipients: status.recipients.map(r => ({
      ...r,
      address: maskAddress(r.address),
      reply: r.reply && maskReply(r.reply),
    })),
    lastReply: status.lastReply && maskReply(status.lastReply),
  };
}

/** A reply with every address in its text masked. */
export function maskReply(reply: SmtpReply): SmtpReply {
  return {
    ...reply,
    response:
      reply.response === undefined
        ? undefined
        : maskAddressesIn(reply.response),
  };
}
