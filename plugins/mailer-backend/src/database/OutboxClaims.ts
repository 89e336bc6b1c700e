import { Knex } from 'knex';
import { ClaimedMessage, ClaimOptions, ClaimOutcome } from './claimedMessage';
import { databaseNow, databaseNowPlus, engineOf } from './databaseClock';
import { OutcomeWrites } from './OutcomeWrites';
import {
  CAMPAIGNS,
  OUTBOX,
  parseRecipients,
  parseResults,
  RecipientResults,
  replyColumns,
  Row,
} from './outboxRows';

export type {
  ClaimedMessage,
  ClaimOptions,
  ClaimOutcome,
  DeliveryOutcome,
} from './claimedMessage';

const WAITING = "state = 'waiting'";
/** What a claim reads back of each row (see `toClaimed`): not every column, as each costs. */
const CLAIMED_COLUMNS = [
  'id',
  'campaign_id',
  'tenant_id',
  'priority',
  'list_id',
  'recipients',
  'variables',
  'recipient_results',
  'attempts',
  'created_at',
  'claimed_at',
];
const SENDING = "state = 'sending'";

/**
 * The claim and record protocol of the outbox, safe with any number of
 * workers on any engine:
 * - a claim takes due rows with an UPDATE that re-checks they are still
 *   waiting, marks them with a claim token and counts the attempt;
 * - every outcome is written `WHERE id = ? AND claim_token = ?`, so a worker
 *   whose lease ran out (and whose rows another worker took) cannot write
 *   over the newer claim: its outcome is discarded;
 * - leases are extended while messages are in flight, and rows whose lease
 *   ran out are given back, or failed once they used up their attempts.
 * All times are the database's.
 */
export class OutboxClaims {
  private readonly engine: 'pg' | 'mysql' | 'sqlite';
  private readonly writes: OutcomeWrites;

  constructor(private readonly knex: Knex) {
    this.engine = engineOf(knex);
    this.writes = new OutcomeWrites(knex);
  }

  /**
   * The tenants with mail waiting (due now or later). A skip scan over the
   * waiting index: one short lookup per tenant, however deep the queue.
   */
  async tenantsWithWaitingMail(): Promise<string[]> {
    if (this.engine === 'mysql') {
      // MySQL reads DISTINCT on an index prefix as a loose index scan.
      const rows: Row[] = await this.knex(OUTBOX)
        .whereRaw(WAITING)
        .distinct('tenant_id');
      return rows.map(r => r.tenant_id);
    }
    const next = (after: string) =>
      `(SELECT o.tenant_id FROM ${OUTBOX} o WHERE o.${WAITING}${after} ORDER BY o.tenant_id LIMIT 1)`;
    const result = await this.knex.raw(
      `WITH RECURSIVE t(tenant_id) AS (
         SELECT ${next('')}
         UNION ALL
         SELECT ${next(' AND o.tenant_id > t.tenant_id')} FROM t WHERE t.tenant_id IS NOT NULL
       )
       SELECT tenant_id FROM t WHERE tenant_id IS NOT NULL`,
    );
    const rows: Row[] = this.engine === 'pg' ? result.rows : result;
    return rows.map(r => r.tenant_id);
  }

  /**
   * Claims up to `limit` of a tenant's due messages, transactional mail
   * first, and counts the attempt. `db` may be a transaction (rate limits).
   */
  async claim(
    options: ClaimOptions,
    db: Knex | Knex.Transaction = this.knex,
  ): Promise<ClaimedMessage[]> {
    if (options.limit <= 0) return [];
    const now = databaseNow(db);
    const due = db(OUTBOX)
      .whereRaw(WAITING)
      .andWhere('tenant_id', options.tenantId)
      .andWhere('next_attempt_at', '<=', now)
      // A cancelled campaign's messages are withdrawn as they come back;
      // none may be claimed meanwhile.
      .whereNotExists(
        db(CAMPAIGNS)
          .whereRaw(`${CAMPAIGNS}.id = ${OUTBOX}.campaign_id`)
          .whereNotNull('cancelled_at')
          .select(db.raw('1')),
      )
      .orderBy([{ column: 'priority' }, { column: 'next_attempt_at' }])
      .limit(options.limit)
      .select('id');
    const claimed = {
      state: 'sending',
      claim_token: options.token,
      claimed_at: now,
      lease_until: databaseNowPlus(db, options.leaseMs),
      attempts: db.raw('attempts + 1'),
      updated_at: now,
    };
    let rows: Row[];
    if (this.engine === 'mysql') {
      // No UPDATE … RETURNING: pick, take (re-checking), then read back.
      const ids = (await due).map((r: Row) => r.id);
      if (ids.length === 0) return [];
      await db(OUTBOX).whereIn('id', ids).whereRaw(WAITING).update(claimed);
      rows = await db(OUTBOX)
        .where({ claim_token: options.token })
        .whereRaw(SENDING)
        .select(CLAIMED_COLUMNS);
    } else {
      // One statement. On PostgreSQL replicas skip each other's rows instead
      // of waiting for them, and ARRAY(…) runs the pick exactly once: as an
      // IN (…) semi-join it may run again per row and take more than `limit`.
      const taking = db(OUTBOX);
      rows = await (
        this.engine === 'pg'
          ? taking.whereRaw('id = ANY(ARRAY(?))', [
              due.forUpdate().skipLocked(),
            ])
          : taking.whereIn('id', due)
      )
        .whereRaw(WAITING)
        .update(claimed)
        .returning(CLAIMED_COLUMNS);
    }
    return rows.map(row => toClaimed(row, options.token));
  }

  /**
   * Moves the leases of these claims on. Returns the claims that still hold
   * rows: the others were lost (their lease ran out and the rows were taken).
   */
  async extendLeases(tokens: string[], leaseMs: number): Promise<Set<string>> {
    if (tokens.length === 0) return new Set();
    await this.knex(OUTBOX)
      .whereIn('claim_token', tokens)
      .whereRaw(SENDING)
      .update({ lease_until: databaseNowPlus(this.knex, leaseMs) });
    const rows: Row[] = await this.knex(OUTBOX)
      .whereIn('claim_token', tokens)
      .whereRaw(SENDING)
      .distinct('claim_token');
    return new Set(rows.map(r => r.claim_token));
  }

  /**
   * Records outcomes. An outcome is written only while its claim still
   * holds the row; the ids of the others are returned.
   */
  record(outcomes: ClaimOutcome[]): Promise<{ lost: string[] }> {
    return this.writes.record(outcomes);
  }

  /** Whether the database answers at all (a failed write may be the database, or the row). */
  async reachable(): Promise<boolean> {
    try {
      await this.knex.raw('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Gives back rows whose lease ran out (their worker died or hung): to be
   * tried again, or failed once they used up their attempts, so that a
   * message that kills every worker that touches it cannot loop forever.
   */
  async reclaimExpired(
    maxAttempts: number,
  ): Promise<{ requeued: number; failed: number }> {
    const now = databaseNow(this.knex);
    const expired = () =>
      this.knex(OUTBOX).whereRaw(SENDING).andWhere('lease_until', '<=', now);
    const failed = await expired()
      .andWhere('attempts', '>=', maxAttempts)
      .update({
        state: 'failed',
        claim_token: null,
        lease_until: null,
        updated_at: now,
        ...replyColumns({
          code: 'EABANDONED',
          response: `Delivery was interrupted ${maxAttempts} times (the replica sending it stopped or hung); not tried again.`,
        }),
      });
    const requeued = await expired().update({
      state: 'waiting',
      claim_token: null,
      lease_until: null,
      next_attempt_at: now,
      updated_at: now,
      ...replyColumns({
        code: 'EINTERRUPTED',
        response:
          'An earlier attempt was interrupted (the replica sending it stopped or hung); trying again.',
      }),
    });
    return { requeued, failed };
  }
}

function toClaimed(row: Row, token: string): ClaimedMessage {
  const recipients = parseRecipients(row.recipients);
  let variables: Record<string, string> | undefined;
  let results: RecipientResults = {};
  let unreadable = recipients ? undefined : 'its recipients cannot be read';
  try {
    variables = row.variables ? JSON.parse(row.variables) : undefined;
    results = parseResults(row.recipient_results);
  } catch {
    unreadable = 'its stored fields cannot be read';
  }
  return {
    unreadable,
    id: row.id,
    campaignId: row.campaign_id,
    tenantId: row.tenant_id,
    priority: Number(row.priority),
    listId: row.list_id ?? undefined,
    recipients: recipients ?? { to: [] },
    variables,
    results,
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
    claimedAt: Number(row.claimed_at),
    token,
  };
}
