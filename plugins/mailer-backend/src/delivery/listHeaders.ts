import { createHash } from 'node:crypto';

/** What makes a message list mail: its list and the recipient's own unsubscribe link. */
export interface ListLink {
  tenantId: string;
  listId: string;
  /** The one-click HTTPS link (RFC 8058), also `{{unsubscribeUrl}}` in the body. */
  unsubscribeUrl: string;
  /** The tenant's unsubscribe mailbox, when it set one. */
  mailbox?: string;
}

/** A header nodemailer writes as given: ours are ASCII and folded here. */
interface PreparedHeader {
  prepared: true;
  value: string;
}

/** A tenant id as a DNS label for `List-Id`, or a short hash of one that is not. */
function tenantLabel(tenantId: string): string {
  return /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(tenantId)
    ? tenantId
    : `t${createHash('sha256').update(tenantId).digest('hex').slice(0, 16)}`;
}

/** The domain of a From address, for `List-Id`'s namespace. */
function domainOf(from: string): string {
  const domain = from.slice(from.lastIndexOf('@') + 1).toLowerCase();
  return /^[a-z0-9.-]+$/.test(domain) && domain ? domain : 'localhost';
}

/**
 * The headers of list mail, as Gmail, Yahoo and Outlook.com require of
 * bulk senders: `List-Unsubscribe` with the HTTPS link (and a `mailto:`
 * when the tenant has an unsubscribe mailbox), `List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click` (RFC 8058), and `List-Id` (RFC 2919), which
 * names the list under the sender's domain and the tenant, since lists of
 * one name belong to each tenant apart. Written as prepared headers:
 * nodemailer's `list` option cannot write `List-Unsubscribe-Post`.
 */
export function listHeaders(
  link: ListLink,
  from: string,
): Record<string, PreparedHeader> {
  const uris = [`<${link.unsubscribeUrl}>`];
  if (link.mailbox) {
    const subject = encodeURIComponent(`unsubscribe ${link.listId}`);
    // Anything a URI or the header could read otherwise is percent-encoded.
    const mailbox = link.mailbox.replace(/[^A-Za-z0-9.!$&'*+=^_`|~@-]/g, c =>
      encodeURIComponent(c),
    );
    uris.push(`<mailto:${mailbox}?subject=${subject}>`);
  }
  const prepared = (value: string): PreparedHeader => ({
    prepared: true,
    value,
  });
  return {
    // One URI per line: a long link never pushes the line past 998 characters.
    'List-Unsubscribe': prepared(uris.join(',\r\n ')),
    'List-Unsubscribe-Post': prepared('List-Unsubscribe=One-Click'),
    'List-Id': prepared(
      `<${link.listId}.${tenantLabel(link.tenantId)}.${domainOf(from)}>`,
    ),
  };
}
