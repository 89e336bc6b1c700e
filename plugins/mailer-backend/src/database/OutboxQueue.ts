import { ConflictError } from '@backstage/errors';
import {
  CampaignKind,
  RecipientSuppression,
} from '@elixeum/plugin-mailer-common';
import { Knex } from 'knex';
import { databaseNow, engineOf, readDatabaseNow } from './databaseClock';
import {
  CAMPAIGN_BATCHES,
  CAMPAIGNS,
  envelopeAddresses,
  MessageRecipients,
  OUTBOX,
  RecipientResults,
  resultKey,
} from './outboxRows';
import { retryTransaction } from './retryTransaction';
import { GroupCommit } from './GroupCommit';
import { insertSendKeys, SendKeyId, SendKeyUse } from './SendKeys';

/**
 * Rows per INSERT: well under every engine's limit on bound parameters
 * (and under SQLite's 500 terms, should a multi-row insert be written as a
 * compound SELECT, as knex does there).
 */
const INSERT_CHUNK = 400;

/** Up to this many new rows read the database clock inside their INSERT. */
const INLINE_CLOCK_ROWS = 20;

/** Single sends committed together at most: a few INSERTs of well under `INSERT_CHUNK` rows. */
const MAX_SENDS_PER_COMMIT = 200;

/** A campaign: a body stored once, for one message or many. */
export interface NewCampaign {
  id: string;
  tenantId: string;
  /** 0 transactional, 1 bulk: lower goes first. */
  priority: number;
  /** What it is, for the delivery view; by default what the priority says (0 single, else bulk). */
  kind?: CampaignKind;
  /** The list it goes to; undefined for transactional mail. */
  listId?: string;
  template: unknown;
  createdBy?: string;
}

/** A stored campaign, without its body. */
export interface CampaignRecord {
  id: string;
  tenantId: string;
  priority: number;
  listId?: string;
  cancelled: boolean;
}

/** A message to queue, before it has a state. */
export interface NewOutboxMessage {
  id: string;
  recipients: MessageRecipients;
  variables?: Record<string, string>;
  /** Set when its recipient is on the suppression list: stored final, never sent. */
  suppression?: RecipientSuppression;
}

/** A campaign to store with its first messages, and the key it was sent with. */
interface CampaignWrite {
  campaign: NewCampaign;
  messages: NewOutboxMessage[];
  sendKey?: { id: SendKeyId; use: SendKeyUse };
}

/** What a campaign's messages are stored with. */
type CampaignOfMessages = Pick<
  CampaignRecord,
  'id' | 'tenantId' | 'priority' | 'listId'
>;

/**
 * The queueing side of the outbox: campaigns and their messages go in, each
 * batch in one transaction, so what `send` confirmed is on disk.
 */
export class OutboxQueue {
  /** Single sends that arrive together are committed together. */
  private readonly singles = new GroupCommit<CampaignWrite>(
    {
      group: writes => this.storeCampaigns(writes),
      one: write => this.storeCampaigns([write]),
    },
    MAX_SENDS_PER_COMMIT,
  );

  constructor(private readonly knex: Knex) {}

  /**
   * Stores a campaign's body, and its first messages in the same
   * transaction. With `sendKey`, the key's row too, first: when the key is
   * taken this throws (see `isDuplicateKey`) and nothing is queued. A
   * campaign of one message (a single send) may share its transaction with
   * others queued at the same time; it resolves once it is committed.
   */
  async createCampaign(
    campaign: NewCampaign,
    messages: NewOutboxMessage[] = [],
    sendKey?: { id: SendKeyId; use: SendKeyUse },
  ): Promise<void> {
    const write = { campaign, messages, sendKey };
    if (messages.length === 1) await this.singles.write(write);
    else await this.storeCampaigns([write]);
  }

  /**
   * Queues a batch of a campaign's messages in one transaction: `accepted`
   * to be sent, `suppressed` stored as such. With `seq`, a batch that was
   * already queued (the caller retried after a timeout) is not queued
   * again: the first answer is returned. A cancelled campaign takes nothing
   * (`ConflictError`), decided in the same transaction.
   */
  async addMessages(
    campaign: CampaignOfMessages,
    messages: NewOutboxMessage[],
    seq?: number,
  ): Promise<{ accepted: number; suppressed: number; repeated: boolean }> {
    const suppressed = messages.filter(m => m.suppression).length;
    const accepted = messages.length - suppressed;
    return this.knex.transaction(async tx => {
      if (await this.isCancelled(tx, campaign.id)) {
        throw new ConflictError(`Campaign ${campaign.id} was cancelled`);
      }
      if (seq !== undefined) {
        const done = await tx(CAMPAIGN_BATCHES)
          .where({ campaign_id: campaign.id, seq })
          .first('accepted', 'suppressed');
        if (done) {
          return {
            accepted: Number(done.accepted),
            suppressed: Number(done.suppressed),
            repeated: true,
          };
        }
        // First, so that a concurrent retry of the same batch fails here, on
        // the primary key, before either queues a message.
        await tx(CAMPAIGN_BATCHES).insert({
          campaign_id: campaign.id,
          seq,
          accepted,
          suppressed,
        });
      }
      await this.insertMessages(tx, [{ campaign, messages }]);
      return { accepted, suppressed, repeated: false };
    });
  }

  /** A campaign without its body, or undefined for an unknown one. */
  async campaign(campaignId: string): Promise<CampaignRecord | undefined> {
    const row = await this.knex(CAMPAIGNS)
      .where({ id: campaignId })
      .first('id', 'tenant_id', 'priority', 'list_id', 'cancelled_at');
    return (
      row && {
        id: row.id,
        tenantId: row.tenant_id,
        priority: Number(row.priority),
        listId: row.list_id ?? undefined,
        cancelled: row.cancelled_at !== null,
      }
    );
  }

  /** The stored bodies of campaigns, as JSON text. */
  async bodies(campaignIds: string[]): Promise<Map<string, string>> {
    const rows: Array<{ id: string; template: string }> = await this.knex(
      CAMPAIGNS,
    )
      .whereIn('id', campaignIds)
      .select('id', 'template');
    return new Map(rows.map(row => [row.id, row.template]));
  }

  /**
   * Withdraws a campaign: its waiting messages are deleted and no more can
   * be added. Messages already being sent finish. Returns how many were withdrawn.
   */
  async cancelCampaign(campaignId: string): Promise<number> {
    return retryTransaction(this.knex, async tx => {
      await tx(CAMPAIGNS)
        .where({ id: campaignId })
        .whereNull('cancelled_at')
        .update({ cancelled_at: databaseNow(tx) });
      const withdrawn: number = await tx(OUTBOX)
        .where({ campaign_id: campaignId, state: 'waiting' })
        .delete();
      return withdrawn;
    });
  }

  /**
   * Reads the campaign's cancel under a shared lock, held until the batch
   * commits: a cancel (which updates the row) waits for the batch and then
   * withdraws its messages too, and a batch after a committed cancel reads
   * it. Batches of one campaign still run side by side. SQLite runs one
   * writer at a time anyway.
   */
  private async isCancelled(
    tx: Knex.Transaction,
    campaignId: string,
  ): Promise<boolean> {
    const query = tx(CAMPAIGNS).where({ id: campaignId }).first('cancelled_at');
    const row = await (engineOf(tx) === 'sqlite' ? query : query.forShare());
    return row !== undefined && row.cancelled_at !== null;
  }

  /** Campaigns, their keys and their messages, in one transaction. */
  private storeCampaigns(writes: CampaignWrite[]): Promise<void> {
    return retryTransaction(this.knex, async tx => {
      await insertSendKeys(
        tx,
        writes.flatMap(w => (w.sendKey ? [w.sendKey] : [])),
      );
      const campaigns = writes.map(({ campaign }) => ({
        id: campaign.id,
        tenant_id: campaign.tenantId,
        priority: campaign.priority,
        kind: campaign.kind ?? (campaign.priority === 0 ? 'single' : 'bulk'),
        list_id: campaign.listId ?? null,
        template: JSON.stringify(campaign.template),
        subject: subjectOf(campaign.template),
        created_by: campaign.createdBy ?? null,
        created_at: databaseNow(tx),
      }));
      await insertInChunks(tx, CAMPAIGNS, campaigns);
      await this.insertMessages(tx, writes);
    });
  }

  /** New messages of campaigns, due now. */
  private async insertMessages(
    tx: Knex.Transaction,
    batches: Array<{
      campaign: CampaignOfMessages;
      messages: NewOutboxMessage[];
    }>,
  ): Promise<void> {
    const count = batches.reduce((n, b) => n + b.messages.length, 0);
    if (count === 0) return;
    // A few rows take the clock inline (no round trip before a single
    // send's insert); many take it read once, as a plain number that keeps
    // a 400-row INSERT short.
    const now =
      count <= INLINE_CLOCK_ROWS ? databaseNow(tx) : await readDatabaseNow(tx);
    await insertInChunks(
      tx,
      OUTBOX,
      batches.flatMap(b => messageRows(b.campaign, b.messages, now)),
    );
  }
}

/** Outbox rows of a campaign's new messages, due now. */
function messageRows(
  campaign: CampaignOfMessages,
  messages: NewOutboxMessage[],
  now: number | Knex.Raw,
) {
  return messages.map(m => ({
    id: m.id,
    campaign_id: campaign.id,
    tenant_id: campaign.tenantId,
    priority: campaign.priority,
    list_id: campaign.listId ?? null,
    recipients: JSON.stringify(m.recipients),
    variables: m.variables ? JSON.stringify(m.variables) : null,
    state: m.suppression ? 'suppressed' : 'waiting',
    recipient_results: m.suppression
      ? JSON.stringify(suppressedResults(m.recipients, m.suppression))
      : null,
    attempts: 0,
    next_attempt_at: now,
    created_at: now,
    updated_at: now,
  }));
}

async function insertInChunks(
  tx: Knex.Transaction,
  table: string,
  rows: Array<Record<string, Knex.RawBinding>>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await insertValues(tx, table, rows.slice(i, i + INSERT_CHUNK));
  }
}

/**
 * One INSERT of rows with the same columns. knex writes a multi-row insert
 * on SQLite as a compound SELECT, which SQLite runs several times slower
 * than a VALUES list; on PostgreSQL, rows of plain values go as one JSON
 * parameter read with the table's own column types, which PostgreSQL
 * parses and plans in a fraction of the time of 400 rows of parameters.
 */
async function insertValues(
  tx: Knex.Transaction,
  table: string,
  rows: Array<Record<string, Knex.RawBinding>>,
): Promise<void> {
  if (rows.length === 0) return;
  const engine = engineOf(tx);
  const columns = Object.keys(rows[0]);
  if (engine === 'pg' && rows.every(isPlainRow)) {
    const names = columns.map(() => '??').join(', ');
    await tx.raw(
      `insert into ?? (${names}) select ${names} from json_populate_recordset(null::??, ?)`,
      [table, ...columns, ...columns, table, JSON.stringify(rows)],
    );
    return;
  }
  if (engine !== 'sqlite') {
    await tx(table).insert(rows);
    return;
  }
  const row = `(${columns.map(() => '?').join(', ')})`;
  const bindings: Knex.RawBinding[] = [];
  for (const r of rows) {
    for (const column of columns) bindings.push(r[column]);
  }
  await tx.raw(
    `insert into ?? (${columns.map(() => '??').join(', ')}) values ${rows
      .map(() => row)
      .join(', ')}`,
    [table, ...columns, ...bindings],
  );
}

/** Whether a row holds only plain values (no SQL of its own, such as the database's clock). */
function isPlainRow(row: Record<string, Knex.RawBinding>): boolean {
  return Object.values(row).every(
    value =>
      value === null || ['string', 'number', 'boolean'].includes(typeof value),
  );
}

/** Every recipient of a message marked suppressed, for why. */
function suppressedResults(
  recipients: MessageRecipients,
  suppression: RecipientSuppression,
): RecipientResults {
  return Object.fromEntries(
    envelopeAddresses(recipients).map(address => [
      resultKey(address),
      { state: 'suppressed' as const, suppression },
    ]),
  );
}

/** A body's subject, kept beside it so that lists of campaigns never read bodies. */
function subjectOf(template: unknown): string {
  const { subject } = (template ?? {}) as { subject?: unknown };
  return typeof subject === 'string' ? subject : '';
}
