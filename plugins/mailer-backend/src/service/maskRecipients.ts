import { DeliverySummary } from '@elixeum/plugin-mailer-common';

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
 * settings sees it: recipients masked, also where a reply or subject names them.
 */
export function maskDeliverySummary(summary: DeliverySummary): DeliverySummary {
  return {
    campaigns: summary.campaigns.map(c => ({
      ...c,
      subject: maskAddressesIn(c.subject),
    })),
    recentFailures: summary.recentFailures.map(f => ({
      ...f,
      recipients: f.recipients.map(maskAddress),
      reply: f.reply && {
        ...f.reply,
        response:
          f.reply.response === undefined
            ? undefined
            : maskAddressesIn(f.reply.response),
      },
    })),
  };
}
