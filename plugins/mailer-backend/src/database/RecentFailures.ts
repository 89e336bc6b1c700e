import {
  CampaignKind,
  RecipientDelivery,
  SmtpReply,
} from '@elixeum/plugin-mailer-common';
import { Knex } from 'knex';
import {
  CAMPAIGNS,
  iso,
  OUTBOX,
  Row,
  toRecipientDeliveries,
  toReply,
} from './outboxRows';

/** A message that failed for good, for some or all of its recipients. */
export interface FailedMessage {
  id: string;
  campaignId: string;
  /** `failed`: nobody got it; `partial`: some recipients refused it for good. */
  state: 'failed' | 'partial';
  /** Its campaign's subject; for a bulk mailing, the template. */
  subject: string;
  kind: CampaignKind;
  recipients: RecipientDelivery[];
  /** The last reply of its delivery. */
  reply?: SmtpReply;
  failedAt: string;
}

/**
 * A tenant's most recent failed messages, newest first, read by the
 * finished-messages index and never with their bodies or variables.
 */
export class RecentFailures {
  constructor(private readonly knex: Knex) {}

  async of(tenantId: string, limit: number): Promise<FailedMessage[]> {
    const rows: Row[] = await this.knex(OUTBOX)
      .leftJoin(CAMPAIGNS, `${CAMPAIGNS}.id`, `${OUTBOX}.campaign_id`)
      .where(`${OUTBOX}.tenant_id`, tenantId)
      // The index's predicate in its own words, so every engine uses it.
      .whereRaw(`${OUTBOX}.state IN ('sent', 'partial', 'failed')`)
      .whereIn(`${OUTBOX}.state`, ['failed', 'partial'])
      .orderBy(`${OUTBOX}.updated_at`, 'desc')
      .limit(limit)
      .select(
        `${OUTBOX}.id`,
        `${OUTBOX}.campaign_id`,
        `${OUTBOX}.state`,
        `${OUTBOX}.recipients`,
        `${OUTBOX}.recipient_results`,
        `${OUTBOX}.rejected`,
        `${OUTBOX}.last_response_code`,
        `${OUTBOX}.last_reply`,
        `${OUTBOX}.last_error_code`,
        `${OUTBOX}.updated_at`,
        `${CAMPAIGNS}.subject`,
        `${CAMPAIGNS}.kind`,
      );
    return rows.map(row => ({
      id: row.id,
      campaignId: row.campaign_id,
      state: row.state,
      subject: row.subject ?? '',
      kind: (row.kind as CampaignKind | null) ?? 'single',
      recipients: toRecipientDeliveries(row),
      reply: toReply(row),
      failedAt: iso(row.updated_at)!,
    }));
  }
}
