import {
  CampaignKind,
  CampaignSummary,
  DELIVERY_STATES,
  DeliveryState,
  DeliveryStatus,
  DeliverySummary,
  HourlyDelivery,
} from '@elixeum/plugin-mailer-common';
import { Knex } from 'knex';
import { readDatabaseNow } from './databaseClock';
import {
  CAMPAIGNS,
  iso,
  OUTBOX,
  Row,
  toRecipientDeliveries,
  toReply,
  toStatus,
} from './outboxRows';
import { SUPPRESSIONS } from './SuppressionStore';

const HOUR_MS = 3_600_000;
/** The hours the chart shows, the current one included. */
const HOURS = 24;
const DAY_MS = HOURS * HOUR_MS;
/**
 * What the summary reads of a campaign: never its body, which may hold
 * 25 MB of attachments and is read every few seconds per viewer.
 */
const CAMPAIGN_COLUMNS = [
  'id',
  'kind',
  'subject',
  'list_id',
  'created_by',
  'created_at',
];
/** What it reads of a failed message: no variables. */
const FAILURE_COLUMNS = [
  'id',
  'campaign_id',
  'state',
  'recipients',
  'recipient_results',
  'rejected',
  'last_response_code',
  'last_reply',
  'last_error_code',
  'updated_at',
];

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

  /**
   * A tenant's recent mailings and test emails with their counts per state,
   * its single messages of the last 24 hours, the last 24 hours hour by hour,
   * and its recent failures. Counted in SQL: a mailing may have 100,000 rows.
   */
  async summary(
    tenantId: string,
    size = 10,
  ): Promise<Omit<DeliverySummary, 'pause'>> {
    const now = await readDatabaseNow(this.knex);
    const since = now - DAY_MS;
    const campaigns: Row[] = await this.knex(CAMPAIGNS)
      .where({ tenant_id: tenantId })
      .whereIn('kind', ['bulk', 'test'])
      .orderBy('created_at', 'desc')
      .limit(size)
      .select(CAMPAIGN_COLUMNS);
    const [counts, unsubscribes, singles, hourly, failures] = await Promise.all(
      [
        campaigns.length
          ? this.countsByState(
              this.knex(OUTBOX)
                .whereIn(
                  'campaign_id',
                  campaigns.map(c => c.id),
                )
                .select('campaign_id')
                .groupBy('campaign_id'),
            )
          : [],
        this.unsubscribesOf(
          tenantId,
          campaigns.map(c => c.id),
        ),
        this.countsByState(
          this.knex(OUTBOX)
            .join(CAMPAIGNS, `${CAMPAIGNS}.id`, `${OUTBOX}.campaign_id`)
            .where(`${CAMPAIGNS}.tenant_id`, tenantId)
            .andWhere(`${CAMPAIGNS}.kind`, 'single')
            .andWhere(`${CAMPAIGNS}.created_at`, '>=', since),
        ),
        this.hourly(tenantId, now),
        this.knex(OUTBOX)
          .where({ tenant_id: tenantId })
          .whereIn('state', ['failed', 'partial'])
          .orderBy('updated_at', 'desc')
          .limit(size)
          .select(FAILURE_COLUMNS) as Promise<Row[]>,
      ],
    );
    const campaignOf = await this.withCampaigns(campaigns, failures);
    return {
      campaigns: campaigns.map(c =>
        toCampaignSummary(
          c,
          counts.filter(n => n.campaign_id === c.id),
          unsubscribes.get(c.id) ?? 0,
        ),
      ),
      singleMessages: {
        since: iso(since)!,
        counts: toCounts(singles),
      },
      hourly,
      recentFailures: failures.map(f => ({
        id: f.id,
        campaignId: f.campaign_id,
        subject: subjectOf(campaignOf.get(f.campaign_id)),
        kind: campaignOf.get(f.campaign_id)?.kind ?? 'single',
        recipients: toRecipientDeliveries(f)
          .filter(r => r.state === 'failed' || f.state === 'failed')
          .map(r => r.address),
        reply: toReply(f),
        failedAt: iso(f.updated_at)!,
      })),
    };
  }

  /**
   * How many recipients unsubscribed through each mailing's link (and are
   * still unsubscribed), by campaign id.
   */
  private async unsubscribesOf(
    tenantId: string,
    campaignIds: string[],
  ): Promise<Map<string, number>> {
    if (campaignIds.length === 0) return new Map();
    const rows: Row[] = await this.knex(SUPPRESSIONS)
      .where({ tenant_id: tenantId, reason: 'unsubscribed' })
      .whereIn('campaign_id', campaignIds)
      .select('campaign_id')
      // One who left the list and then all bulk mail counts once.
      .countDistinct({ n: 'address' })
      .groupBy('campaign_id');
    return new Map(rows.map(r => [r.campaign_id, Number(r.n)]));
  }

  /** The campaigns of the failures, by id: those already read, and the others. */
  private async withCampaigns(
    campaigns: Row[],
    failures: Row[],
  ): Promise<Map<string, Row>> {
    const byId = new Map(campaigns.map(c => [c.id, c]));
    const missing = [...new Set(failures.map(f => f.campaign_id))].filter(
      id => !byId.has(id),
    );
    if (missing.length > 0) {
      const rows: Row[] = await this.knex(CAMPAIGNS)
        .whereIn('id', missing)
        .select(CAMPAIGN_COLUMNS);
      for (const row of rows) byId.set(row.id, row);
    }
    return byId;
  }

  /**
   * Rows of `query` counted per stored state, and for waiting rows whether
   * an attempt failed before (retrying) or not (queued).
   */
  private countsByState(query: Knex.QueryBuilder): Promise<Row[]> {
    const column = (name: string) => `${OUTBOX}.${name}`;
    return query
      .select(column('state'))
      .select(
        this.knex.raw(
          `CASE WHEN ?? IS NULL AND ?? IS NULL AND ?? IS NULL THEN 0 ELSE 1 END AS failed_before`,
          [
            column('last_error_code'),
            column('last_response_code'),
            column('last_reply'),
          ],
        ),
      )
      .count({ n: '*' })
      .groupBy(column('state'), 'failed_before');
  }

  /**
   * Messages sent and failed per hour, for the 24 hours up to and including
   * the current one. A final row is not written again, so `updated_at` is
   * when it finished; hours start at whole UTC hours of the epoch.
   */
  private async hourly(
    tenantId: string,
    now: number,
  ): Promise<HourlyDelivery[]> {
    const first = now - (now % HOUR_MS) - (HOURS - 1) * HOUR_MS;
    // The hour as epoch milliseconds: whole numbers and `%` on every engine.
    const hour = this.knex.raw(`updated_at - (updated_at % ${HOUR_MS})`);
    const failed = this.knex.raw(
      `CASE WHEN state = 'failed' THEN 1 ELSE 0 END`,
    );
    const rows: Row[] = await this.knex(OUTBOX)
      .where({ tenant_id: tenantId })
      // The same words as the index's predicate, so every engine uses it.
      .whereRaw("state IN ('sent', 'partial', 'failed')")
      .andWhere('updated_at', '>=', first)
      .select({ hour, failed })
      .count({ n: '*' })
      // One raw expression per groupBy: knex reads only the first of several.
      .groupBy(hour)
      .groupBy(failed);
    return Array.from({ length: HOURS }, (_, i) => {
      const start = first + i * HOUR_MS;
      const of = (isFailed: number) =>
        rows
          .filter(
            r => Number(r.hour) === start && Number(r.failed) === isFailed,
          )
          .reduce((sum, r) => sum + Number(r.n), 0);
      return { hour: iso(start)!, sent: of(0), failed: of(1) };
    });
  }
}

/** Counted rows as the API's states: a waiting row is queued or retrying. */
function toCounts(counts: Row[]): Record<DeliveryState, number> {
  const byState = Object.fromEntries(
    DELIVERY_STATES.map(s => [s, 0]),
  ) as Record<DeliveryState, number>;
  for (const c of counts) {
    const waitingState = Number(c.failed_before) === 1 ? 'retrying' : 'queued';
    const state: DeliveryState = c.state === 'waiting' ? waitingState : c.state;
    byState[state] += Number(c.n);
  }
  return byState;
}

function toCampaignSummary(
  campaign: Row,
  counts: Row[],
  unsubscribes: number,
): CampaignSummary {
  return {
    campaignId: campaign.id,
    kind: campaign.kind as CampaignKind,
    createdAt: iso(campaign.created_at)!,
    createdBy: campaign.created_by ?? undefined,
    subject: subjectOf(campaign),
    ...(campaign.list_id && { list: campaign.list_id }),
    counts: toCounts(counts),
    unsubscribes,
  };
}

/** Empty for a campaign queued by an older version during an upgrade, whose subject was not kept. */
function subjectOf(campaign: Row | undefined): string {
  return campaign?.subject ?? '';
}
