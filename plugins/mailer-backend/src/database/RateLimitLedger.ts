import { Knex } from 'knex';
import { databaseNow } from './databaseClock';

const LEDGER = 'mailer_rate_limit_ledger';
const LOCKS = 'mailer_rate_limit_locks';
const MINUTE_MS = 60_000;
/** Providers count recipients over any 24 hours (Exchange Online's recipient rate limit, Google's daily limits). */
export const DAY_MS = 24 * 60 * 60_000;

/** The limits of one account: messages a minute, recipients a day; absent: none of that kind. */
export interface AccountLimits {
  perMinute?: number;
  perDay?: number;
}

/** What is left: messages this minute and recipients today (`Infinity` without that limit). */
export interface Allowance {
  messages: number;
  recipients: number;
}

/** What a take used of the allowance. */
export interface Taken {
  messages: number;
  recipients: number;
  /** Set when the next message has more recipients than the day has left. */
  dayFull?: boolean;
}

/** How a take went: what was taken, and when the day's recipients are all used, when some are free again. */
export interface TakeResult {
  taken: Taken;
  /** Set when no recipient is left for today (or too few for the next message). */
  dayFull?: {
    /** Epoch ms, the database's clock: when the first of the day's recipients are a day old. */
    until: number;
    /** How long from now that is. */
    forMs: number;
  };
}

type Row = Record<string, any>;

/**
 * Messages and recipients taken per server account, kept across replicas
 * for a day: a replica counts and takes an account's quota under the
 * account's lock row, so that together the replicas stay within its
 * limits (a minute's messages, a day's recipients).
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
    const result = await this.take(
      accountKey,
      { perMinute },
      async (allowance, tx) => ({
        messages: await take(allowance.messages, tx),
        recipients: 0,
      }),
    );
    return result.taken.messages;
  }

  /**
   * Runs `take` with what is left of the account's limits, inside the
   * transaction that holds the account's lock, and records what it took.
   * `take` is not asked when nothing is left. When the day's recipients are
   * used up (before or by this take), says until when.
   */
  async take(
    accountKey: string,
    limits: AccountLimits,
    take: (allowance: Allowance, tx: Knex.Transaction) => Promise<Taken>,
  ): Promise<TakeResult> {
    await this.knex(LOCKS)
      .insert({ account_key: accountKey })
      .onConflict('account_key')
      .ignore();
    return this.knex.transaction(async tx => {
      await tx(LOCKS).where({ account_key: accountKey }).forUpdate().first();
      const now = databaseNow(tx).toQuery();
      const since = (ms: number) => tx.raw(`(${now} - ${ms})`);
      // A day of history whatever this lane's limits: another tenant on
      // the same account may count its recipients over the day.
      await tx(LEDGER)
        .where({ account_key: accountKey })
        .andWhere('taken_at', '<=', since(DAY_MS))
        .delete();
      const [minute]: Row[] = await tx(LEDGER)
        .where({ account_key: accountKey })
        .andWhere('taken_at', '>', since(MINUTE_MS))
        .sum({ used: 'count' });
      const [day]: Row[] =
        limits.perDay === undefined
          ? [{}]
          : await tx(LEDGER)
              .where({ account_key: accountKey })
              .sum({ used: 'recipients' })
              .min({ oldest: 'taken_at' })
              .select(tx.raw(`${now} as now`));
      const left = (limit: number | undefined, used: unknown) =>
        limit === undefined ? Infinity : Math.max(0, limit - Number(used ?? 0));
      const allowance: Allowance = {
        messages: left(limits.perMinute, minute.used),
        recipients: left(limits.perDay, day.used),
      };
      const dayFull = () => {
        // The first recipients counted today free up a day after them.
        const until = Number(day.oldest ?? day.now) + DAY_MS;
        return { until, forMs: Math.max(0, until - Number(day.now)) };
      };
      if (allowance.recipients === 0) {
        return { taken: { messages: 0, recipients: 0 }, dayFull: dayFull() };
      }
      if (allowance.messages === 0) {
        return { taken: { messages: 0, recipients: 0 } };
      }
      const taken = await take(allowance, tx);
      if (taken.messages > 0 || taken.recipients > 0) {
        await tx(LEDGER).insert({
          account_key: accountKey,
          taken_at: databaseNow(tx),
          count: taken.messages,
          recipients: taken.recipients,
        });
      }
      return taken.dayFull || allowance.recipients - taken.recipients <= 0
        ? { taken, dayFull: dayFull() }
        : { taken };
    });
  }
}
