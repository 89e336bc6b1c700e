import { Knex } from 'knex';
import { ClaimOutcome, DeliveryOutcome } from './claimedMessage';
import { databaseNow, databaseNowPlus, engineOf } from './databaseClock';
import { CAMPAIGNS, OUTBOX, replyColumns, Row } from './outboxRows';

/** Rows per batched UPDATE; each row binds a few parameters. */
const UPDATE_CHUNK = 500;

const SENDING = "state = 'sending'";

/** Up to this many claims, delivered outcomes are matched claim by claim (see `whereClaimsHold`). */
const FEW_CLAIMS = 4;

type DeliveredOutcome = Extract<DeliveryOutcome, { kind: 'delivered' }>;

/**
 * What follows the row id in each claim's Message-IDs (`@domain>`): a claim
 * is for one server, so its messages share one sender. Undefined when a
 * Message-ID is not `<row id@domain>`, or a claim's differ.
 */
function messageIdSuffixByClaim(
  group: ClaimOutcome[],
): Map<string, string> | undefined {
  const suffixes = new Map<string, string>();
  for (const { token, outcome } of group) {
    const { id, messageId } = outcome as DeliveredOutcome;
    if (!messageId.startsWith(`<${id}@`)) return undefined;
    const suffix = messageId.slice(id.length + 1);
    const known = suffixes.get(token);
    if (known !== undefined && known !== suffix) return undefined;
    suffixes.set(token, suffix);
  }
  return suffixes;
}

/**
 * Narrows `where` to the rows each outcome's claim still holds. Few claims
 * (one server's lane): `claim_token = ? AND id IN (…)` per claim, which
 * SQLite runs faster than (id, claim_token) pairs; many (a claim or two of
 * each of many tenants): the pairs, which it runs faster than a long OR.
 * Either is exact.
 */
function whereClaimsHold(where: Knex.QueryBuilder, group: ClaimOutcome[]) {
  const idsByToken = new Map<string, string[]>();
  for (const { token, outcome } of group) {
    const ids = idsByToken.get(token);
    if (ids) ids.push(outcome.id);
    else idsByToken.set(token, [outcome.id]);
  }
  if (idsByToken.size > FEW_CLAIMS) {
    where.whereIn(
      ['id', 'claim_token'],
      group.map(g => [g.outcome.id, g.token]),
    );
    return;
  }
  for (const [token, ids] of idsByToken) {
    where.orWhere(claim =>
      claim.where('claim_token', token).whereIn('id', ids),
    );
  }
}

/**
 * Writes delivery outcomes, each `WHERE id = ? AND claim_token = ?`, so a
 * worker whose lease ran out (and whose rows another worker took) cannot
 * write over the newer claim: its outcome is discarded as lost. A message
 * that comes back to wait while its campaign was cancelled is withdrawn.
 */
export class OutcomeWrites {
  private readonly engine: 'pg' | 'mysql' | 'sqlite';

  constructor(private readonly knex: Knex) {
    this.engine = engineOf(knex);
  }

  /**
   * Records outcomes in one transaction. An outcome is written only while
   * its claim still holds the row; the ids of the others are returned.
   */
  async record(outcomes: ClaimOutcome[]): Promise<{ lost: string[] }> {
    const result =
      this.engine === 'mysql'
        ? await this.recordLocking(outcomes)
        : await this.recordReturning(outcomes);
    await this.withdrawCancelled(outcomes);
    return result;
  }

  /** With UPDATE … RETURNING each write says which rows it still held. */
  private async recordReturning(
    outcomes: ClaimOutcome[],
  ): Promise<{ lost: string[] }> {
    // No read is needed first; one statement needs no transaction of its own.
    const writes: Array<(db: Knex | Knex.Transaction) => Promise<Row[]>> = [];
    // Delivered is the common case: one statement for all of them, of every
    // sender, instead of one per message (or per tenant), which matters when
    // the database is a network hop away or many tenants send at once.
    const delivered = outcomes.filter(o => o.outcome.kind === 'delivered');
    for (let i = 0; i < delivered.length; i += UPDATE_CHUNK) {
      const chunk = delivered.slice(i, i + UPDATE_CHUNK);
      writes.push(db => this.deliveredUpdate(db, chunk).returning('id'));
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
      for (let i = 0; i < delivered.length; i += UPDATE_CHUNK) {
        await this.deliveredUpdate(tx, delivered.slice(i, i + UPDATE_CHUNK));
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
   * Messages that go back to wait (given back, or to be tried again) are
   * deleted if their campaign was cancelled meanwhile, as the cancel did to
   * the messages that were waiting then: a cancelled campaign sends nothing
   * more. A cancel that commits later deletes them itself.
   */
  private async withdrawCancelled(outcomes: ClaimOutcome[]): Promise<void> {
    const back = outcomes
      .filter(o => o.outcome.kind === 'released' || o.outcome.kind === 'retry')
      .map(o => o.outcome.id);
    for (let i = 0; i < back.length; i += UPDATE_CHUNK) {
      await this.knex(OUTBOX)
        .whereIn('id', back.slice(i, i + UPDATE_CHUNK))
        .where('state', 'waiting')
        .whereIn(
          'campaign_id',
          this.knex(CAMPAIGNS).whereNotNull('cancelled_at').select('id'),
        )
        .delete();
    }
  }

  /**
   * Writes delivered outcomes (of any claims), each only where its claim
   * still holds the row.
   */
  private deliveredUpdate(db: Knex | Knex.Transaction, group: ClaimOutcome[]) {
    const outcomes = group.map(g => g.outcome as DeliveredOutcome);
    // CASE id WHEN … THEN … END: per-row values in one portable statement,
    // only where rows differ. The common case (every recipient got it, the
    // Message-ID is made from the row's id and its claim's sender) needs
    // none: it is cheap to build and to run, and leaves recipient_results
    // empty ("all sent").
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
    const suffixes = messageIdSuffixByClaim(group);
    const now = databaseNow(db);
    return db(OUTBOX)
      .where(held => whereClaimsHold(held, group))
      .whereRaw(SENDING)
      .update({
        // First: MySQL assigns left to right, and this reads claim_token.
        smtp_message_id: suffixes
          ? this.messageIdsFromClaims(db, suffixes)
          : perRow(o => o.messageId),
        state: allSent ? 'sent' : perRow(o => o.state),
        claim_token: null,
        lease_until: null,
        updated_at: now,
        sent_at: now,
        recipient_results: allSent
          ? null
          : perRow(o => JSON.stringify(o.results)),
      });
  }

  /** `<row id@domain>` from each row's id and its claim's sender (`suffixes` by claim token). */
  private messageIdsFromClaims(
    db: Knex | Knex.Transaction,
    suffixes: Map<string, string>,
  ): Knex.Raw {
    const concat = (suffix: string) =>
      this.engine === 'mysql'
        ? `CONCAT('<', id, ${suffix})`
        : `('<' || id || ${suffix})`;
    const distinct = [...new Set(suffixes.values())];
    if (distinct.length === 1) return db.raw(concat('?'), distinct);
    const byClaim = [...suffixes].map(() => 'WHEN ? THEN ?').join(' ');
    return db.raw(
      concat(`CASE claim_token ${byClaim} END`),
      [...suffixes].flat(),
    );
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
          ...(outcome.results && {
            recipient_results: JSON.stringify(outcome.results),
          }),
          ...(outcome.reply ? replyColumns(outcome.reply) : {}),
        };
      case 'suppressed':
        return {
          ...released,
          state: 'suppressed',
          attempts: tx.raw('attempts - 1'),
          recipient_results: JSON.stringify(outcome.results),
        };
      default:
        throw new Error(`Unexpected outcome ${outcome.kind}`);
    }
  }
}
