import { SmtpReply } from '@elixeum/plugin-mailer-common';
import { Knex } from 'knex';
import { databaseNow, databaseNowPlus, engineOf } from './databaseClock';
import {
  MessageRecipients,
  OUTBOX,
  parseRecipients,
  parseResults,
  RecipientResults,
  replyColumns,
  Row,
} from './outboxRows';

/** Rows per batched UPDATE; each row binds a few parameters. */
const UPDATE_CHUNK = 500;

/** A message a worker has claimed and now delivers. */
export interface ClaimedMessage {
  id: string;
  campaignId: string;
  tenantId: string;
  /** 0 transactional, 1 bulk. */
  priority: number;
  recipients: MessageRecipients;
  variables?: Record<string, string>;
  /** Results of earlier attempts: who already has it, who refused it for good. */
  results: RecipientResults;
  /** Attempts so far, including this one. */
  attempts: number;
  /** Epoch ms, the database's clock. */
  createdAt: number;
  /** Epoch ms, the database's clock. */
  claimedAt: number;
  /** The claim it belongs to: only its holder may record its outcome. */
  token: string;
  /** Set when the stored row cannot be read: the message fails by itself. */
  unreadable?: string;
}

/** How one claimed message ended, as recorded. */
export type DeliveryOutcome =
  | {
      kind: 'delivered';
      id: string;
      /** `partial` when some recipients refused it for good. */
      state: 'sent' | 'partial';
      messageId: string;
      results: RecipientResults;
    }
  | {
      kind: 'retry';
      id: string;
      delayMs: number;
      reply: SmtpReply;
      results: RecipientResults;
    }
  | { kind: 'failed'; id: string; reply: SmtpReply; results: RecipientResults }
  | {
      /**
       * Given back without an attempt (its server is paused, the backend
       * stops): the attempt counted at claim time is taken back.
       */
      kind: 'released';
      id: string;
      delayMs: number;
      reply?: SmtpReply;
    };

type DeliveredOutcome = Extract<DeliveryOutcome, { kind: 'delivered' }>;

/** An outcome and the claim it was reached under. */
export interface ClaimOutcome {
  token: string;
  outcome: DeliveryOutcome;
}

/** The domain of Message-IDs of the form `<row id@domain>`, when all share one. */
function sharedMessageIdDomain(
  outcomes: DeliveredOutcome[],
): string | undefined {
  const first = outcomes[0];
  const domain = first?.messageId.slice(first.id.length + 2, -1);
  return domain !== undefined &&
    outcomes.every(o => o.messageId === `<${o.id}@${domain}>`)
    ? domain
    : undefined;
}

/** Delivered outcomes by the domain of their Message-ID (their sender). */
function groupByDomain(outcomes: ClaimOutcome[]): ClaimOutcome[][] {
  const groups = new Map<string, ClaimOutcome[]>();
  for (const item of outcomes) {
    const { id, messageId } = item.outcome as DeliveredOutcome;
    const key = messageId.startsWith(`<${id}@`)
      ? messageId.slice(id.length + 2)
      : '';
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.values()];
}

export interface ClaimOptions {
  tenantId: string;
  limit: number;
  /** Marks the rows this claim takes; every later write checks it. */
  token: string;
  leaseMs: number;
}

const WAITING = "state = 'waiting'";
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

  constructor(private readonly knex: Knex) {
    this.engine = engineOf(knex);
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
        .whereRaw(SENDING);
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
        .returning('*');
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
   * Records outcomes in one transaction. An outcome is written only while
   * its claim still holds the row; the ids of the others are returned.
   */
  async record(outcomes: ClaimOutcome[]): Promise<{ lost: string[] }> {
    if (this.engine === 'mysql') return this.recordLocking(outcomes);
    // With UPDATE … RETURNING each write says which rows it still held, so
    // no read is needed first; one statement needs no transaction of its own.
    const writes: Array<(db: Knex | Knex.Transaction) => Promise<Row[]>> = [];
    // Delivered is the common case: one statement for all of them (per
    // Message-ID domain, i.e. per sender) instead of one per message, which
    // matters when the database is a network hop away.
    const delivered = outcomes.filter(o => o.outcome.kind === 'delivered');
    for (const group of groupByDomain(delivered)) {
      for (let i = 0; i < group.length; i += UPDATE_CHUNK) {
        const chunk = group.slice(i, i + UPDATE_CHUNK);
        writes.push(db => this.deliveredUpdate(db, chunk).returning('id'));
      }
    }
    for (const { token, outcome } of outcomes) {
      if (outcome.kind === 'delivered') continue;
      writes.push(db => this.outcomeUpdate(db, token, outcome).returning('id'));
    }
    const run = async (db: Knex | Knex.Transaction) => {
      const rows: Row[] = [];
      // One after the other: a transaction is one connection.
      for (const write of writes) rows.push(...(await write(db)));
      return rows;
    };
    const written =
      writes.length === 1
        ? await run(this.knex)
        : await this.knex.transaction(tx => run(tx));
    const held = new Set(written.map(row => row.id));
    return {
      lost: outcomes.map(o => o.outcome.id).filter(id => !held.has(id)),
    };
  }

  /**
   * `record` without RETURNING (MySQL): reads and locks the rows the claims
   * still hold, then writes those.
   */
  private async recordLocking(
    outcomes: ClaimOutcome[],
  ): Promise<{ lost: string[] }> {
    return this.knex.transaction(async tx => {
      const held = await this.stillHeld(tx, outcomes);
      const kept = outcomes.filter(o => held.has(o.outcome.id));
      const delivered = kept.filter(o => o.outcome.kind === 'delivered');
      for (const group of groupByDomain(delivered)) {
        for (let i = 0; i < group.length; i += UPDATE_CHUNK) {
          await this.deliveredUpdate(tx, group.slice(i, i + UPDATE_CHUNK));
        }
      }
      for (const { token, outcome } of kept) {
        if (outcome.kind !== 'delivered') {
          await this.outcomeUpdate(tx, token, outcome);
        }
      }
      return {
        lost: outcomes
          .filter(o => !held.has(o.outcome.id))
          .map(o => o.outcome.id),
      };
    });
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

  /**
   * Writes delivered outcomes (of any claims), each only where its claim
   * still holds the row.
   */
  private deliveredUpdate(db: Knex | Knex.Transaction, group: ClaimOutcome[]) {
    const outcomes = group.map(g => g.outcome as DeliveredOutcome);
    // CASE id WHEN … THEN … END: per-row values in one portable statement,
    // only where rows differ. The common case (every recipient got it, the
    // Message-ID is made from the row's id) needs none: it is cheap to build
    // and to run, and leaves recipient_results empty ("all sent").
    const perRow = (value: (o: DeliveredOutcome) => string) =>
      db.raw(
        `CASE id ${outcomes.map(() => 'WHEN ? THEN ?').join(' ')} END`,
        outcomes.flatMap(o => [o.id, value(o)]),
      );
    const allSent = outcomes.every(
      o =>
        o.state === 'sent' &&
        Object.values(o.results).every(r => r.state === 'sent'),
    );
    const domain = sharedMessageIdDomain(outcomes);
    const now = databaseNow(db);
    return db(OUTBOX)
      .whereIn(
        ['id', 'claim_token'],
        group.map(g => [g.outcome.id, g.token]),
      )
      .whereRaw(SENDING)
      .update({
        state: allSent ? 'sent' : perRow(o => o.state),
        claim_token: null,
        lease_until: null,
        updated_at: now,
        sent_at: now,
        smtp_message_id:
          domain === undefined
            ? perRow(o => o.messageId)
            : db.raw(
                this.engine === 'mysql'
                  ? "CONCAT('<', id, ?)"
                  : "('<' || id || ?)",
                [`@${domain}>`],
              ),
        recipient_results: allSent
          ? null
          : perRow(o => JSON.stringify(o.results)),
      });
  }

  /** Writes any other outcome of one claim, if the claim still holds the row. */
  private outcomeUpdate(
    db: Knex | Knex.Transaction,
    token: string,
    outcome: DeliveryOutcome,
  ) {
    return db(OUTBOX)
      .where({ id: outcome.id, claim_token: token })
      .whereRaw(SENDING)
      .update(this.columnsFor(db, outcome));
  }

  /** The rows whose claim is still the outcome's, locked until the transaction ends. */
  private async stillHeld(
    tx: Knex.Transaction,
    outcomes: ClaimOutcome[],
  ): Promise<Set<string>> {
    const tokenOf = new Map(outcomes.map(o => [o.outcome.id, o.token]));
    const ids = [...tokenOf.keys()];
    const held = new Set<string>();
    for (let i = 0; i < ids.length; i += UPDATE_CHUNK) {
      const query = tx(OUTBOX)
        .whereIn('id', ids.slice(i, i + UPDATE_CHUNK))
        .whereRaw(SENDING)
        .select('id', 'claim_token');
      const rows: Row[] = await (this.engine === 'sqlite'
        ? query
        : query.forUpdate());
      for (const row of rows) {
        if (row.claim_token === tokenOf.get(row.id)) held.add(row.id);
      }
    }
    return held;
  }

  private columnsFor(
    tx: Knex | Knex.Transaction,
    outcome: DeliveryOutcome,
  ): Row {
    const now = databaseNow(tx);
    const released = { claim_token: null, lease_until: null, updated_at: now };
    switch (outcome.kind) {
      case 'retry':
        return {
          ...released,
          state: 'waiting',
          next_attempt_at: databaseNowPlus(tx, outcome.delayMs),
          recipient_results: JSON.stringify(outcome.results),
          ...replyColumns(outcome.reply),
        };
      case 'failed':
        return {
          ...released,
          state: 'failed',
          recipient_results: JSON.stringify(outcome.results),
          ...replyColumns(outcome.reply),
        };
      case 'released':
        return {
          ...released,
          state: 'waiting',
          attempts: tx.raw('attempts - 1'),
          next_attempt_at: databaseNowPlus(tx, outcome.delayMs),
          ...(outcome.reply ? replyColumns(outcome.reply) : {}),
        };
      default:
        throw new Error(`Unexpected outcome ${outcome.kind}`);
    }
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
    recipients: recipients ?? { to: [] },
    variables,
    results,
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
    claimedAt: Number(row.claimed_at),
    token,
  };
}
