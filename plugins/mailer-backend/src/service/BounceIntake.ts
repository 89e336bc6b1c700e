import {
  BounceReport,
  BounceReportRecipient,
  BounceReportsResponse,
} from '@elixeum/plugin-mailer-common';
import { randomUUID } from 'node:crypto';
import { BounceReports } from '../database/BounceReports';
import { BouncedMessage, OutboxBounces } from '../database/OutboxBounces';
import { bounceKindOf } from '../bounces/bounceKind';
import {
  DeliveryReport,
  NotADeliveryReport,
  parseDsn,
} from '../bounces/parseDsn';
import { Bounces } from './Bounces';
import { maskAddress, maskAddressesIn } from './maskRecipients';

/** Reports listed for the card at most. */
const RECENT_REPORTS = 50;

/** `<outbox-id@domain>`: the Message-ID every outbox message is sent with. */
const OUTBOX_MESSAGE_ID =
  /^<([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@[^<>\s]+>$/i;

/** What the intake made of a report: what it matched and what it did. */
export type BounceIntakeResult = Omit<BounceReport, 'receivedAt'>;

/**
 * Delivery status notifications that arrive after delivery (through an
 * operator's inbound pipe or a provider's webhook): each is read, matched
 * to its outbox message by the Message-ID it reports on (the recipient
 * must be one of that message's), its recipients' results are recorded
 * and their bounces applied to the suppression list. Every report is kept:
 * one that matches nothing, or cannot be read, with its text, for the
 * tenant's admins to see.
 */
export class BounceIntake {
  constructor(
    private readonly reports: BounceReports,
    private readonly outbox: OutboxBounces,
    private readonly bounces: Bounces,
  ) {}

  /**
   * Takes one report. `tenantId` is the caller's: a report that matches a
   * message belongs to the message's tenant, one that matches none is kept
   * for the caller's.
   */
  async take(tenantId: string, raw: Buffer): Promise<BounceIntakeResult> {
    const id = randomUUID();
    let report: DeliveryReport;
    try {
      report = await parseDsn(raw);
    } catch (error) {
      if (!(error instanceof NotADeliveryReport)) throw error;
      return this.keep(tenantId, raw, {
        id,
        outcome: 'unreadable',
        reason: error.message,
        recipients: [],
      });
    }
    const summary = {
      id,
      recipients: report.recipients.map(r => recipientView(r)),
      ...(report.originalMessageId && {
        originalMessageId: report.originalMessageId,
      }),
      ...(report.reportingMta && { reportingMta: report.reportingMta }),
      ...(report.subject && { subject: report.subject }),
    };
    const outboxId = report.originalMessageId?.match(OUTBOX_MESSAGE_ID)?.[1];
    const message = outboxId
      ? await this.outbox.find(outboxId.toLowerCase())
      : undefined;
    const strangers = message
      ? report.recipients.filter(r => !message.addresses.includes(r.address))
      : [];
    if (!message || strangers.length > 0) {
      return this.keep(tenantId, raw, {
        ...summary,
        outcome: 'unmatched',
        reason: whyUnmatched(report, outboxId, message, strangers.length),
      });
    }
    const recipients: BounceReportRecipient[] = [];
    for (const recipient of report.recipients) {
      recipients.push(await this.applyTo(message, recipient));
    }
    const matched = {
      ...summary,
      outcome: 'matched' as const,
      messageId: message.id,
      campaignId: message.campaignId,
      recipients,
    };
    await this.reports.add({ ...matched, tenantId: message.tenantId });
    return matched;
  }

  /** The tenant's recent reports; addresses masked unless `reveal`. */
  async recent(
    tenantId: string,
    options: { unmatchedOnly: boolean; reveal: boolean },
  ): Promise<BounceReportsResponse> {
    const [items, unmatched] = await Promise.all([
      this.reports.recent(tenantId, {
        unmatchedOnly: options.unmatchedOnly,
        limit: RECENT_REPORTS,
      }),
      this.reports.unmatchedCount(tenantId),
    ]);
    return {
      items: options.reveal ? items : items.map(maskReport),
      unmatched,
      masked: !options.reveal,
    };
  }

  /** Records a failed recipient's result and applies its bounce. */
  private async applyTo(
    message: BouncedMessage,
    recipient: DeliveryReport['recipients'][number],
  ): Promise<BounceReportRecipient> {
    const view = recipientView(recipient);
    // Delayed, delivered, relayed or expanded: nothing bounced.
    if (recipient.action !== 'failed') return view;
    await this.outbox.recordBounce(message.id, recipient.address, {
      code: 'EBOUNCE',
      response:
        [recipient.status, recipient.diagnostic].filter(Boolean).join(' ') ||
        'The receiver reported that delivery failed',
    });
    const kind = bounceKindOf(recipient.status);
    if (!kind) return view;
    const suppressed = await this.bounces.apply({
      tenantId: message.tenantId,
      messageId: message.id,
      campaignId: message.campaignId,
      address: recipient.address,
      kind,
      reply: { response: recipient.diagnostic ?? recipient.status },
    });
    return suppressed ? { ...view, suppressed } : view;
  }

  private async keep(
    tenantId: string,
    raw: Buffer,
    report: BounceIntakeResult,
  ): Promise<BounceIntakeResult> {
    await this.reports.add({
      ...report,
      tenantId,
      raw: raw.toString('utf8'),
    });
    return report;
  }
}

function recipientView(
  recipient: DeliveryReport['recipients'][number],
): BounceReportRecipient {
  return {
    address: recipient.address,
    action: recipient.action,
    ...(recipient.status && { status: recipient.status }),
    ...(recipient.diagnostic && { diagnostic: recipient.diagnostic }),
  };
}

function whyUnmatched(
  report: DeliveryReport,
  outboxId: string | undefined,
  message: BouncedMessage | undefined,
  strangers: number,
): string {
  if (!report.originalMessageId) {
    return 'The report names no Message-ID of the message it is about';
  }
  if (!outboxId) {
    return `The Message-ID ${report.originalMessageId} is not one the mailer sends with`;
  }
  if (!message) {
    return `No message ${outboxId} in the outbox (never sent from here, or deleted after the retention period)`;
  }
  return `${strangers} of its recipients ${strangers === 1 ? 'is' : 'are'} not recipients of message ${outboxId}`;
}

function maskReport(report: BounceReport): BounceReport {
  return {
    ...report,
    ...(report.subject && { subject: maskAddressesIn(report.subject) }),
    ...(report.reason && { reason: maskAddressesIn(report.reason) }),
    recipients: report.recipients.map(r => ({
      ...r,
      address: maskAddress(r.address),
      ...(r.diagnostic && { diagnostic: maskAddressesIn(r.diagnostic) }),
    })),
  };
}
