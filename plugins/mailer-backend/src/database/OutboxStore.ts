import {
  addressOf,
  CampaignSummary,
  DELIVERY_STATES,
  DeliveryState,
  DeliveryStatus,
  DeliverySummary,
  MailAddress,
  SmtpReply,
} from '@elixeum/plugin-mailer-common';
import { Knex } from 'knex';

const CAMPAIGNS = 'mailer_campaigns';
const OUTBOX = 'mailer_outbox';
const TENANT_LOCKS = 'mailer_tenant_locks';
/**
 * Rows per INSERT: knex writes a multi-row insert on SQLite as a compound
 * SELECT, which SQLite caps at 500 terms; also well under every engine's
 * limit on bound parameters.
 */
const INSERT_CHUNK = 400;
/** Rows per batched UPDATE; each row binds four parameters. */
const UPDATE_CHUNK = 500;

/** Who gets one message: all of `to`, `cc` and `bcc` for a single message; one `to` in a bulk mailing. */
export interface MessageRecipients {
  to: MailAddress[];
  cc?: MailAddress[];
  bcc?: MailAddress[];
}

/** A campaign: a body stored once, for one message or many. */
export interface NewCampaign {
  id: string;
  tenantId: string;
  /** 0 transactional, 1 bulk: lower goes first. */
  priority: number;
  template: unknown;
  createdBy?: string;
  now: number;
}

/** A message to queue, before it has a state. */
export interface NewOutboxMessage {
  id: string;
  recipients: MessageRecipients;
  variables?: Record<string, string>;
}

/** A message a worker has claimed and now delivers. */
export interface ClaimedMessage {
  id: string;
  campaignId: string;
  tenantId: string;
  recipients: MessageRecipients;
  variables?: Record<string, string>;
  /** Attempts so far, including this one. */
  attempts: number;
  createdAt: number;
}

/** How one delivery attempt ended. */
export type DeliveryOutcome =
  | { id: string; kind: 'sent'; messageId: string; rejected: string[] }
  | { id: string; kind: 'retry'; nextAttemptAt: number; reply: SmtpReply }
  | { id: string; kind: 'failed'; reply: SmtpReply };

type SentOutcome = Extract<DeliveryOutcome, { kind: 'sent' }>;

export interface ClaimOptions {
  /** Marks the rows this claim takes. */
  token: string;
  limit: number;
  leaseMs: number;
  now: number;
  /** The tenant's messages-per-minute limit, if it has one. */
  rateLimitOf: (tenantId: string) => Promise<number | undefined>;
}

type Row = Record<string, any>;

const num = (value: unknown) =>
  value === null || value === undefined ? undefined : Number(value);
const iso = (ms: unknown) =>
  ms === null || ms === undefined
    ? undefined
    : new Date(Number(ms)).toISOString();

/** Messages that may be claimed now: due, or claimed by a worker whose lease ran out. */
function whereClaimable(
  query: Knex.QueryBuilder,
  now: number,
): Knex.QueryBuilder {
  return query.where(due =>
    due
      .where(waiting =>
        waiting
          .whereIn('state', ['queued', 'retrying'])
          .andWhere('next_attempt_at', '<=', now),
      )
      .orWhere(abandoned =>
        abandoned.where('state', 'sending').andWhere('lease_until', '<=', now),
      ),
  );
}

/**
 * The outbox tables: queued campaigns and messages, claims by delivery
 * workers, and delivery records. Claims are safe with any number of workers
 * on any engine: a row is claimed by an UPDATE that re-checks that it is
 * still claimable, so two workers can never both take it.
 */
export class OutboxStore {
  constructor(private readonly knex: Knex) {}

  /** Stores a campaign's body, and its first messages in the same transaction. */
  async createCampaign(
    campaign: NewCampaign,
    messages: NewOutboxMessage[] = [],
  ): Promise<void> {
    await this.knex.transaction(async tx => {
      await tx(CAMPAIGNS).insert({
        id: campaign.id,
        tenant_id: campaign.tenantId,
        priority: campaign.priority,
        template: JSON.stringify(campaign.template),
        created_by: campaign.createdBy ?? null,
        created_at: campaign.now,
      });
      await this.insertMessages(tx, campaign, messages);
    });
  }

  /** Queues more messages of a campaign, in batched inserts inside one transaction. */
  async addMessages(
    campaign: NewCampaign,
    messages: NewOutboxMessage[],
  ): Promise<void> {
    await this.knex.transaction(tx =>
      this.insertMessages(tx, campaign, messages),
    );
  }

  /** The campaign's tenant and priority, or undefined for an unknown campaign. */
  async campaign(
    campaignId: string,
  ): Promise<Pick<NewCampaign, 'id' | 'tenantId' | 'priority'> | undefined> {
    const row = await this.knex(CAMPAIGNS)
      .where({ id: campaignId })
      .first('id', 'tenant_id', 'priority');
    return (
      row && {
        id: row.id,
        tenantId: row.tenant_id,
        priority: Number(row.priority),
      }
    );
  }

  /**
   * Claims up to `limit` messages, shared fairly between the tenants that
   * have mail waiting, transactional mail first within each tenant, and
   * never more than a tenant's rate limit allows in the last minute.
   */
  async claim(options: ClaimOptions): Promise<ClaimedMessage[]> {
    const { now, limit } = options;
    const tenants: Row[] = await whereClaimable(this.knex(OUTBOX), now)
      .select('tenant_id')
      .min({ top: 'priority' })
      .groupBy('tenant_id')
      .orderBy('top')
      .limit(limit);
    if (tenants.length === 0) return [];
    const share = Math.max(1, Math.ceil(limit / tenants.length));
    for (const { tenant_id: tenantId } of tenants) {
      const rateLimit = await options.rateLimitOf(tenantId);
      if (rateLimit === undefined) {
        await this.claimForTenant(this.knex, tenantId, share, options);
      } else {
        await this.claimWithinRateLimit(tenantId, share, rateLimit, options);
      }
    }
    const rows: Row[] = await this.knex(OUTBOX).where({
      claim_token: options.token,
    });
    return rows.map(row => ({
      id: row.id,
      campaignId: row.campaign_id,
      tenantId: row.tenant_id,
      recipients: JSON.parse(row.recipients),
      variables: row.variables ? JSON.parse(row.variables) : undefined,
      attempts: Number(row.attempts),
      createdAt: Number(row.created_at),
    }));
  }

  /** The stored bodies of campaigns, parsed. */
  async templates(campaignIds: string[]): Promise<Map<string, unknown>> {
    const rows: Row[] = await this.knex(CAMPAIGNS)
      .whereIn('id', campaignIds)
      .select('id', 'template');
    return new Map(rows.map(row => [row.id, JSON.parse(row.template)]));
  }

  /** Records how attempts ended, all in one transaction. */
  async record(outcomes: DeliveryOutcome[], now: number): Promise<void> {
    const sent = outcomes.filter(o => o.kind === 'sent') as SentOutcome[];
    const others = outcomes.filter(o => o.kind !== 'sent');
    await this.knex.transaction(async tx => {
      // Sent is the common case: a few statements per batch instead of one
      // per message, which matters when the database is a network hop away.
      for (let i = 0; i < sent.length; i += UPDATE_CHUNK) {
        await this.recordSent(tx, sent.slice(i, i + UPDATE_CHUNK), now);
      }
      for (const outcome of others) {
        await tx(OUTBOX)
          .where({ id: outcome.id })
          .update(this.outcomeColumns(outcome, now));
      }
    });
  }

  async status(id: string): Promise<DeliveryStatus | undefined> {
    const row: Row | undefined = await this.knex(OUTBOX).where({ id }).first();
    return row && toStatus(row);
  }

  /** Recent campaigns of a tenant with their counts per state, and its recent failures. */
  async summary(tenantId: string, size = 10): Promise<DeliverySummary> {
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
          .count({ n: '*' })
          .groupBy('campaign_id', 'state')
      : [];
    const failures: Row[] = await this.knex(OUTBOX)
      .where({ tenant_id: tenantId, state: 'failed' })
      .orderBy('updated_at', 'desc')
      .limit(size);
    return {
      campaigns: campaigns.map(c => toCampaignSummary(c, counts)),
      recentFailures: failures.map(f => ({
        id: f.id,
        campaignId: f.campaign_id,
        recipients: toAddresses(JSON.parse(f.recipients)),
        reply: toReply(f),
        failedAt: iso(f.updated_at)!,
      })),
    };
  }

  /** Deletes finished messages older than `before`, and campaigns left empty. */
  async purgeFinished(before: number): Promise<number> {
    const deleted = await this.knex(OUTBOX)
      .whereIn('state', ['sent', 'failed'])
      .andWhere('updated_at', '<', before)
      .delete();
    await this.knex(CAMPAIGNS)
      .where('created_at', '<', before)
      .whereNotExists(
        this.knex(OUTBOX)
          .select('id')
          .whereRaw(`${OUTBOX}.campaign_id = ${CAMPAIGNS}.id`),
      )
      .delete();
    return deleted;
  }

  private async insertMessages(
    tx: Knex.Transaction,
    campaign: Pick<NewCampaign, 'id' | 'tenantId' | 'priority'> & {
      now: number;
    },
    messages: NewOutboxMessage[],
  ): Promise<void> {
    const rows = messages.map(m => ({
      id: m.id,
      campaign_id: campaign.id,
      tenant_id: campaign.tenantId,
      priority: campaign.priority,
      recipients: JSON.stringify(m.recipients),
      variables: m.variables ? JSON.stringify(m.variables) : null,
      state: 'queued',
      attempts: 0,
      next_attempt_at: campaign.now,
      created_at: campaign.now,
      updated_at: campaign.now,
    }));
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await tx(OUTBOX).insert(rows.slice(i, i + INSERT_CHUNK));
    }
  }

  private async claimForTenant(
    db: Knex | Knex.Transaction,
    tenantId: string,
    count: number,
    { token, leaseMs, now }: ClaimOptions,
  ): Promise<void> {
    if (count <= 0) return;
    const ids = await whereClaimable(
      db(OUTBOX).where({ tenant_id: tenantId }),
      now,
    )
      .orderBy([{ column: 'priority' }, { column: 'next_attempt_at' }])
      .limit(count)
      .pluck('id');
    if (ids.length === 0) return;
    await whereClaimable(db(OUTBOX).whereIn('id', ids), now).update({
      state: 'sending',
      claim_token: token,
      claimed_at: now,
      lease_until: now + leaseMs,
      attempts: db.raw('attempts + 1'),
      updated_at: now,
    });
  }

  /**
   * Claims under the tenant's lock row, so replicas count and take the
   * tenant's quota one after the other and together stay within it.
   */
  private async claimWithinRateLimit(
    tenantId: string,
    share: number,
    perMinute: number,
    options: ClaimOptions,
  ): Promise<void> {
    await this.knex(TENANT_LOCKS)
      .insert({ tenant_id: tenantId })
      .onConflict('tenant_id')
      .ignore();
    await this.knex.transaction(async tx => {
      await tx(TENANT_LOCKS).where({ tenant_id: tenantId }).forUpdate().first();
      const [{ n }] = await tx(OUTBOX)
        .where({ tenant_id: tenantId })
        .andWhere('claimed_at', '>', options.now - 60_000)
        .count({ n: '*' });
      await this.claimForTenant(
        tx,
        tenantId,
        Math.min(share, perMinute - Number(n)),
        options,
      );
    });
  }

  private async recordSent(
    tx: Knex.Transaction,
    sent: SentOutcome[],
    now: number,
  ): Promise<void> {
    // CASE id WHEN … THEN … END: per-row values in one portable statement.
    const perRow = (value: (o: SentOutcome) => string) =>
      tx.raw(
        `CASE id ${sent.map(() => 'WHEN ? THEN ?').join(' ')} END`,
        sent.flatMap(o => [o.id, value(o)]),
      );
    await tx(OUTBOX)
      .whereIn(
        'id',
        sent.map(o => o.id),
      )
      .update({
        state: 'sent',
        claim_token: null,
        lease_until: null,
        updated_at: now,
        sent_at: now,
        smtp_message_id: perRow(o => o.messageId),
        rejected: perRow(o => JSON.stringify(o.rejected)),
      });
  }

  private outcomeColumns(outcome: DeliveryOutcome, now: number): Row {
    const released = { claim_token: null, lease_until: null, updated_at: now };
    switch (outcome.kind) {
      case 'sent':
        return {
          ...released,
          state: 'sent',
          smtp_message_id: outcome.messageId,
          rejected: JSON.stringify(outcome.rejected),
          sent_at: now,
        };
      case 'retry':
        return {
          ...released,
          state: 'retrying',
          next_attempt_at: outcome.nextAttemptAt,
          ...replyColumns(outcome.reply),
        };
      default:
        return { ...released, state: 'failed', ...replyColumns(outcome.reply) };
    }
  }
}

function replyColumns(reply: SmtpReply): Row {
  return {
    last_response_code: reply.responseCode ?? null,
    last_reply: reply.response?.slice(0, 2000) ?? null,
    last_error_code: reply.code?.slice(0, 32) ?? null,
  };
}

function toReply(row: Row): SmtpReply | undefined {
  if (
    row.last_response_code === null &&
    row.last_reply === null &&
    row.last_error_code === null
  ) {
    return undefined;
  }
  return {
    responseCode: num(row.last_response_code),
    response: row.last_reply ?? undefined,
    code: row.last_error_code ?? undefined,
  };
}

function toAddresses(recipients: MessageRecipients): string[] {
  return [
    ...recipients.to,
    ...(recipients.cc ?? []),
    ...(recipients.bcc ?? []),
  ].map(addressOf);
}

function toStatus(row: Row): DeliveryStatus {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    state: row.state as DeliveryState,
    attempts: Number(row.attempts),
    messageId: row.smtp_message_id ?? undefined,
    rejected: row.rejected ? JSON.parse(row.rejected) : [],
    lastReply: toReply(row),
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    sentAt: iso(row.sent_at),
    nextAttemptAt:
      row.state === 'retrying' ? iso(row.next_attempt_at) : undefined,
  };
}

function toCampaignSummary(campaign: Row, counts: Row[]): CampaignSummary {
  const byState = Object.fromEntries(
    DELIVERY_STATES.map(s => [s, 0]),
  ) as Record<DeliveryState, number>;
  for (const c of counts) {
    if (c.campaign_id === campaign.id)
      byState[c.state as DeliveryState] = Number(c.n);
  }
  return {
    campaignId: campaign.id,
    createdAt: iso(campaign.created_at)!,
    createdBy: campaign.created_by ?? undefined,
    subject: JSON.parse(campaign.template).subject ?? '',
    counts: byState,
  };
}
