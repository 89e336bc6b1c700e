import {
  BounceReport,
  BounceReportRecipient,
} from '@elixeum/plugin-mailer-common';
import { Knex } from 'knex';
import { cleanServerText } from '../text/cleanServerText';
import { databaseNow, databaseNowPlus } from './databaseClock';
import { iso, Row } from './outboxRows';

const REPORTS = 'mailer_bounce_reports';

/** At most this much of a report that matched nothing is kept: enough to read it, not to fill the disk. */
export const MAX_KEPT_REPORT_BYTES = 256 * 1024;

/** A report to keep, as the intake read it. */
export type NewBounceReport = Omit<BounceReport, 'receivedAt'> & {
  tenantId: string;
  /** The report as received: kept only when it matched nothing. */
  raw?: string;
};

function toReport(row: Row): BounceReport {
  const recipients: BounceReportRecipient[] = row.recipients
    ? JSON.parse(row.recipients)
    : [];
  const optional = (key: keyof BounceReport, value: unknown) =>
    value === null || value === undefined ? {} : { [key]: value };
  return {
    id: row.id,
    receivedAt: iso(row.received_at)!,
    outcome: row.outcome,
    recipients,
    ...optional('reason', row.reason),
    ...optional('messageId', row.message_id),
    ...optional('campaignId', row.campaign_id),
    ...optional('originalMessageId', row.original_message_id),
    ...optional('reportingMta', row.reporting_mta),
    ...optional('subject', row.subject),
  };
}

/**
 * Every delivery status notification the intake received, per tenant:
 * what it said and what the mailer did, and for a report that matched no
 * message its text, so that none is ever dropped unread. Purged with the
 * outbox's retention.
 */
export class BounceReports {
  constructor(private readonly knex: Knex) {}

  async add(report: NewBounceReport): Promise<void> {
    const clean = (text: string | undefined, max: number) =>
      text === undefined ? null : cleanServerText(text, max);
    await this.knex(REPORTS).insert({
      id: report.id,
      tenant_id: report.tenantId,
      received_at: databaseNow(this.knex),
      outcome: report.outcome,
      reason: clean(report.reason, 1000),
      message_id: report.messageId ?? null,
      campaign_id: report.campaignId ?? null,
      original_message_id: clean(report.originalMessageId, 255),
      reporting_mta: clean(report.reportingMta, 255),
      subject: clean(report.subject, 255),
      recipients: JSON.stringify(report.recipients),
      raw:
        report.raw === undefined
          ? null
          : keptText(report.raw, MAX_KEPT_REPORT_BYTES),
    });
  }

  /** The tenant's newest reports, all or only those kept unmatched. */
  async recent(
    tenantId: string,
    options: { unmatchedOnly: boolean; limit: number },
  ): Promise<BounceReport[]> {
    const query = this.knex(REPORTS)
      .where('tenant_id', tenantId)
      .orderBy([
        { column: 'received_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(options.limit);
    if (options.unmatchedOnly) query.whereNot('outcome', 'matched');
    const rows: Row[] = await query;
    return rows.map(toReport);
  }

  /** How many reports of the tenant matched no message (or could not be read). */
  async unmatchedCount(tenantId: string): Promise<number> {
    const [{ n }] = await this.knex(REPORTS)
      .where('tenant_id', tenantId)
      .whereNot('outcome', 'matched')
      .count({ n: '*' });
    return Number(n);
  }

  /** Deletes reports older than `ms`; returns how many. */
  async purgeOlderThan(ms: number): Promise<number> {
    return this.knex(REPORTS)
      .where('received_at', '<=', databaseNowPlus(this.knex, -ms))
      .delete();
  }
}

/**
 * A received text as any engine's column takes it: NUL (which PostgreSQL
 * refuses) and characters outside the Basic Multilingual Plane (which
 * MySQL's utf8mb3 columns refuse) become U+FFFD, lone surrogates too (by
 * the UTF-8 round trip), line breaks stay, and at most `maxBytes` of UTF-8.
 */
function keptText(text: string, maxBytes: number): string {
  const bytes = Buffer.from(
    text.replace(/\0|[\ud800-\udbff][\udc00-\udfff]/g, '\ufffd'),
    'utf8',
  );
  return bytes.subarray(0, maxBytes).toString('utf8');
}
