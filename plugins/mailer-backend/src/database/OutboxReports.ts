import {
  CampaignSummary,
  DELIVERY_STATES,
  DeliveryState,
  DeliveryStatus,
  DeliverySummary,
} from '@elixeum/plugin-mailer-common';
import { Knex } from 'knex';
import {
  CAMPAIGNS,
  iso,
  OUTBOX,
  Row,
  toRecipientDeliveries,
  toReply,
  toStatus,
} from './outboxRows';

/** What the outbox says about delivery: one message's record, a tenant's recent mail. */
export class OutboxReports {
  constructor(private readonly knex: Knex) {}

  /** A message's delivery record and its tenant, or undefined for an unknown id. */
  async status(
    id: string,
  ): Promise<{ tenantId: string; status: DeliveryStatus } | undefined> {
    const row: Row | undefined = await this.knex(OUTBOX).where({ id }).first();
    return row && { tenantId: row.tenant_id, status: toStatus(row) };
  }

  /** Recent campaigns of a tenant with their counts per state, and its recent failures. */
  async summary(
    tenantId: string,
    size = 10,
  ): Promise<Omit<DeliverySummary, 'pause'>> {
    const campaigns: Row[] = await this.knex(CAMPAIGNS)
      .where({ tenant_id: tenantId })
      .orderBy('created_at', 'desc')
      .limit(size);
    const counts: Row[] = campaigns.length
      ? await this.knex(OUTBOX)
          .whereIn(
            'campaign_id',
            campaigns.map(c => c.id),
          )
          .select('campaign_id', 'state')
          .select(
            this.knex.raw(
              'CASE WHEN last_error_code IS NULL AND last_response_code IS NULL AND last_reply IS NULL THEN 0 ELSE 1 END AS failed_before',
            ),
          )
          .count({ n: '*' })
          .groupBy('campaign_id', 'state', 'failed_before')
      : [];
    const failures: Row[] = await this.knex(OUTBOX)
      .where({ tenant_id: tenantId })
      .whereIn('state', ['failed', 'partial'])
      .orderBy('updated_at', 'desc')
      .limit(size);
    return {
      campaigns: campaigns.map(c => toCampaignSummary(c, counts)),
      recentFailures: failures.map(f => ({
        id: f.id,
        campaignId: f.campaign_id,
        recipients: toRecipientDeliveries(f)
          .filter(r => r.state === 'failed' || f.state === 'failed')
          .map(r => r.address),
        reply: toReply(f),
        failedAt: iso(f.updated_at)!,
      })),
    };
  }
}

function toCampaignSummary(campaign: Row, counts: Row[]): CampaignSummary {
  const byState = Object.fromEntries(
    DELIVERY_STATES.map(s => [s, 0]),
  ) as Record<DeliveryState, number>;
  for (const c of counts) {
    if (c.campaign_id !== campaign.id) continue;
    const waitingState = Number(c.failed_before) === 1 ? 'retrying' : 'queued';
    const state: DeliveryState = c.state === 'waiting' ? waitingState : c.state;
    byState[state] += Number(c.n);
  }
  return {
    campaignId: campaign.id,
    createdAt: iso(campaign.created_at)!,
    createdBy: campaign.created_by ?? undefined,
    subject: JSON.parse(campaign.template).subject ?? '',
    counts: byState,
  };
}
