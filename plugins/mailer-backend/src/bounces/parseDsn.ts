import { isEmailAddress } from '@elixeum/plugin-mailer-common';
import { simpleParser } from 'mailparser';
import { cleanServerText } from '../text/cleanServerText';
import { readDsnFieldGroups, typedValue } from './dsnFields';

/** One recipient's part of a delivery status notification. */
export interface DsnRecipient {
  /** The address it was for (`Final-Recipient`), in lower case. */
  address: string;
  /** `failed`, `delayed`, `delivered`, `relayed` or `expanded`. */
  action: string;
  /** The enhanced status code, e.g. `5.1.1`; undefined when missing or malformed. */
  status?: string;
  /** What the receiving server said (`Diagnostic-Code`), cleaned. */
  diagnostic?: string;
  remoteMta?: string;
}

/** A delivery status notification (RFC 3464) as the mailer reads it. */
export interface DeliveryReport {
  reportingMta?: string;
  recipients: DsnRecipient[];
  /**
   * The Message-ID of the message it reports on, with its angle brackets:
   * from the returned headers (`text/rfc822-headers` or `message/rfc822`),
   * else from `X-Original-Message-ID`, `In-Reply-To` or `References`.
   */
  originalMessageId?: string;
  /** The notification's own subject, for people reading the report. */
  subject?: string;
}

/** Why a text is not a report the mailer can read. */
export class NotADeliveryReport extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'NotADeliveryReport';
  }
}

const STATUS = /^[245]\.\d{1,3}\.\d{1,3}$/;
const MESSAGE_ID = /<[^<>\s]+@[^<>\s]+>/;

function addressOf(value: string | undefined): string | undefined {
  const bare = typedValue(value)?.replace(/^<|>$/g, '').trim().toLowerCase();
  return bare && isEmailAddress(bare) ? bare : undefined;
}

/** A header's value from a block of headers (folded lines joined). */
function headerIn(headers: string, name: string): string | undefined {
  const [fields] = readDsnFieldGroups(headers.split(/\r?\n\r?\n/)[0]);
  return fields?.get(name.toLowerCase());
}

function messageIdIn(value: string | undefined): string | undefined {
  return value?.match(MESSAGE_ID)?.[0];
}

/**
 * Reads a delivery status notification: a `multipart/report` with
 * `report-type=delivery-status`, parsed with mailparser (its
 * `message/delivery-status` part kept as a part), then the RFC 3464
 * fields of each recipient. Throws `NotADeliveryReport` for anything else:
 * an autoreply, a non-standard bounce, a report without recipients.
 */
export async function parseDsn(raw: Buffer | string): Promise<DeliveryReport> {
  // keepDeliveryStatus is in mailparser since 3.x; its types lag behind.
  const mail = await simpleParser(raw, {
    keepDeliveryStatus: true,
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
  } as Parameters<typeof simpleParser>[1]);
  const contentType = mail.headers.get('content-type') as
    { value?: string; params?: Record<string, string> } | undefined;
  if (
    contentType?.value !== 'multipart/report' ||
    contentType.params?.['report-type']?.toLowerCase() !== 'delivery-status'
  ) {
    throw new NotADeliveryReport(
      'not a delivery status notification (multipart/report; report-type=delivery-status)',
    );
  }
  const parts = mail.attachments;
  const status = parts.find(p => p.contentType === 'message/delivery-status');
  if (!status) {
    throw new NotADeliveryReport(
      'the report has no message/delivery-status part',
    );
  }
  const [perMessage, ...perRecipient] = readDsnFieldGroups(
    status.content.toString('utf8'),
  );
  const recipients: DsnRecipient[] = perRecipient.flatMap(fields => {
    const address =
      addressOf(fields.get('final-recipient')) ??
      addressOf(fields.get('original-recipient'));
    const action = fields.get('action')?.toLowerCase().split(/\s/)[0];
    if (!address || !action) return [];
    const code = fields.get('status')?.split(/\s/)[0];
    const diagnostic = typedValue(fields.get('diagnostic-code'));
    const remoteMta = typedValue(fields.get('remote-mta'));
    return [
      {
        address,
        action,
        ...(code && STATUS.test(code) && { status: code }),
        ...(diagnostic && { diagnostic: cleanServerText(diagnostic, 1000) }),
        ...(remoteMta && { remoteMta: cleanServerText(remoteMta, 255) }),
      },
    ];
  });
  if (recipients.length === 0) {
    throw new NotADeliveryReport('the report names no recipient');
  }
  const returned = parts.find(
    p =>
      p.contentType === 'text/rfc822-headers' ||
      p.contentType === 'message/rfc822',
  );
  const originalMessageId =
    messageIdIn(
      returned && headerIn(returned.content.toString('utf8'), 'message-id'),
    ) ??
    messageIdIn(perMessage?.get('x-original-message-id')) ??
    messageIdIn(mail.inReplyTo) ??
    messageIdIn(
      Array.isArray(mail.references) ? mail.references[0] : mail.references,
    );
  const reportingMta = typedValue(perMessage?.get('reporting-mta'));
  return {
    recipients,
    ...(reportingMta && { reportingMta: cleanServerText(reportingMta, 255) }),
    ...(originalMessageId && { originalMessageId }),
    ...(mail.subject && { subject: cleanServerText(mail.subject, 255) }),
  };
}
