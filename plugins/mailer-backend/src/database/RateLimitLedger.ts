import { Knex } from 'knex';
import { databaseNow } from './databaseClock';

const LEDGER = 'mailer_rate_limit_ledger';
const LOCKS = 'mailer_rate_limit_locks';
const WINDOW_MS = 60_000;

/**
 * Messages taken per server account in the last minute, kept across
 * replicas: a replica counts and takes an account's quota under the
 * account's lock row, so that together the replicas stay within the limit.
 */
export class RateLimitLedger {
  constructor(private readonly knex: Knex) {}

  /**
   * Runs `take` with the quota left for the account this minute, inside the
   * transaction that holds the account's lock; records what it took.
   */
  async withQuota(
    accountKey: string,
    perMinute: number,
    take: (quota: number, tx: Knex.Transaction) => Promise<number>,
  ): Promise<number> {
    await this.knex(LOCKS)
      .insert({ account_key: accountKey })
      .onConflict('account_key')
      .ignore();
    return this.knex.transaction(async tx => {
      await tx(LOCKS).where({ account_key: accountKey }).forUpdate().first();
      const windowStart = tx.raw(
        `(${databaseNow(tx).toQuery()} - ${WINDOW_MS})`,
      );
      await tx(LEDGER)
        .where({ account_key: accountKey })
        .andWhere('taken_at', '<=', windowStart)
        .delete();
      const [{ used }] = await tx(LEDGER)
        .where({ account_key: accountKey })
        .sum({ used: 'count' });
      const quota = Math.max(0, perMinute - Number(used ?? 0));
      if (quota === 0) return 0;
      const taken = await take(quota, tx);
      if (taken > 0) {
        await tx(LEDGER).insert({
          account_key: accountKey,
          taken_at: databaseNow(tx),
          count: taken,
        });
      }
      return taken;
    });
  }
}
