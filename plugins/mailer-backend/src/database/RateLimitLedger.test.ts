import { mockServices } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import { setTimeout as delay } from 'node:timers/promises';
import { sharedDatabaseConfig } from '../__testUtils__/replica/startReplicaProcess';
import { startTogether } from '../__testUtils__/startTogether';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { openDatabase } from './openDatabase';
import { Allowance, RateLimitLedger, Taken } from './RateLimitLedger';

// The ledger's window is a fixed minute of the database's clock. Instead of
// waiting minutes, these tests move what it recorded back in time.

const databases = createTestDatabases();
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe.each(databases.eachSupportedId())(
  'the rate limit ledger on %s',
  databaseId => {
    let knex: Knex;
    let ledger: RateLimitLedger;
    const others: Knex[] = [];

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await openDatabase(mockServices.database({ knex }));
      ledger = new RateLimitLedger(knex);
    });
    afterEach(async () => {
      await Promise.all(others.splice(0).map(other => other.destroy()));
    });

    /**
     * A second replica's own connections to the same database. SQLite's test
     * database lives in memory on one connection: there the second replica
     * shares it.
     */
    function secondReplica(): Knex {
      if (databaseId === 'SQLITE_3') return knex;
      const other = knexFactory({
        ...sharedDatabaseConfig(knex),
        pool: { min: 0, max: 5 },
      });
      others.push(other);
      return other;
    }

    /** Takes up to `want` of the quota, as a worker claims messages. */
    const takeUpTo =
      (want: number, seen: number[] = []) =>
      async (quota: number) => {
        seen.push(quota);
        return Math.min(quota, want);
      };

    /** Moves everything recorded `ms` into the past. */
    const age = (ms: number) =>
      knex('mailer_rate_limit_ledger').update({
        taken_at: knex.raw('taken_at - ?', [ms]),
      });

    it('hands out what is left of the minute and records only what was taken', async () => {
      const quotas: number[] = [];
      expect(await ledger.withQuota('acct', 5, takeUpTo(3, quotas))).toBe(3);
      expect(await ledger.withQuota('acct', 5, takeUpTo(3, quotas))).toBe(2);
      // Used up: the caller is not even asked.
      expect(await ledger.withQuota('acct', 5, takeUpTo(3, quotas))).toBe(0);
      expect(quotas).toEqual([5, 2]);
      // Taking nothing records nothing.
      expect(await ledger.withQuota('other', 5, takeUpTo(0))).toBe(0);
      expect(await ledger.withQuota('other', 5, takeUpTo(9, quotas))).toBe(5);
      expect(quotas).toEqual([5, 2, 5]);
      const rows = await knex('mailer_rate_limit_ledger')
        .select('account_key', 'count')
        .orderBy('id');
      expect(rows.map(r => [r.account_key, Number(r.count)])).toEqual([
        ['acct', 3],
        ['acct', 2],
        ['other', 5],
      ]);
    });

    it('frees the quota once what was taken is a minute old on the database clock, not before', async () => {
      expect(await ledger.withQuota('acct', 4, takeUpTo(4))).toBe(4);
      await age(MINUTE - 2000);
      expect(await ledger.withQuota('acct', 4, takeUpTo(4))).toBe(0);
      await age(2000);
      expect(await ledger.withQuota('acct', 4, takeUpTo(1))).toBe(1);
      // What is out of the minute no longer counts (it is kept for day
      // limits); the new take does.
      const rows = await knex('mailer_rate_limit_ledger')
        .select('count')
        .orderBy('id');
      expect(rows.map(r => Number(r.count))).toEqual([4, 1]);
      expect(await ledger.withQuota('acct', 4, takeUpTo(9))).toBe(3);
    });

    /** Takes messages of `each` recipients while the allowance lasts, at most `want`. */
    const takeMessages =
      (want: number, each = 1, seen: Allowance[] = []) =>
      async (allowance: Allowance): Promise<Taken> => {
        seen.push(allowance);
        const messages = Math.min(
          want,
          allowance.messages,
          Math.floor(allowance.recipients / each),
        );
        return { messages, recipients: messages * each };
      };

    it("counts a day's recipients beside a minute's messages, and says until when the day is full", async () => {
      const limits = { perMinute: 30, perDay: 10 };
      const seen: Allowance[] = [];
      const first = await ledger.take('acct', limits, takeMessages(3, 2, seen));
      expect(first).toEqual({ taken: { messages: 3, recipients: 6 } });
      await age(MINUTE);
      // A new minute, the same day: 30 messages but 4 recipients left.
      const second = await ledger.take(
        'acct',
        limits,
        takeMessages(9, 1, seen),
      );
      expect(seen).toEqual([
        { messages: 30, recipients: 10 },
        { messages: 30, recipients: 4 },
      ]);
      expect(second.taken).toEqual({ messages: 4, recipients: 4 });
      // Used up by that take: free again a day after the first recipients.
      const [{ oldest }] = await knex('mailer_rate_limit_ledger').min({
        oldest: 'taken_at',
      });
      expect(second.dayFull?.until).toBe(Number(oldest) + DAY);
      // From now: a day less the minute the first take was moved back.
      expect(second.dayFull!.forMs).toBeGreaterThan(DAY - MINUTE - 5_000);
      expect(second.dayFull!.forMs).toBeLessThanOrEqual(DAY - MINUTE);
      const third = await ledger.take('acct', limits, takeMessages(9, 1, seen));
      expect(third).toEqual({
        taken: { messages: 0, recipients: 0 },
        dayFull: { until: Number(oldest) + DAY, forMs: expect.any(Number) },
      });
      expect(seen).toHaveLength(2);

      // A day after the first take, its six recipients are free again.
      await age(DAY - MINUTE);
      const fourth = await ledger.take(
        'acct',
        limits,
        takeMessages(5, 1, seen),
      );
      expect(fourth).toEqual({ taken: { messages: 5, recipients: 5 } });
      expect(seen[2]).toEqual({ messages: 30, recipients: 6 });
      // Another account's day is its own.
      expect(
        (await ledger.take('other', limits, takeMessages(1))).taken.messages,
      ).toBe(1);
    });

    it('says the day is full when the taker has a message with more recipients than are left', async () => {
      const limits = { perDay: 5 };
      await ledger.take('acct', limits, takeMessages(1, 3));
      const result = await ledger.take('acct', limits, async () => ({
        messages: 0,
        recipients: 0,
        dayFull: true,
      }));
      expect(result.dayFull).toBeDefined();
      // Nothing taken, nothing recorded.
      const [{ n }] = await knex('mailer_rate_limit_ledger').count({ n: '*' });
      expect(Number(n)).toBe(1);
    });

    it('asks nothing and says nothing of a day without a day limit', async () => {
      const seen: Allowance[] = [];
      const result = await ledger.take(
        'acct',
        { perMinute: 2 },
        takeMessages(9, 5, seen),
      );
      expect(result).toEqual({ taken: { messages: 2, recipients: 10 } });
      expect(seen).toEqual([{ messages: 2, recipients: Infinity }]);
    });

    // As above, replicas taking at once: on PostgreSQL and MySQL for real.
    it('never hands out more recipients of the day than the limit to replicas taking at the same time', async () => {
      const other = new RateLimitLedger(secondReplica());
      const slowTake = async (allowance: Allowance): Promise<Taken> => {
        await delay(30);
        const messages = Math.min(3, allowance.recipients);
        return { messages, recipients: messages };
      };
      const replicas = [ledger, other, ledger, other, ledger, other];
      const results = await startTogether(
        knex,
        'mailer_rate_limit_locks',
        replicas.map(
          replica => () => replica.take('acct', { perDay: 10 }, slowTake),
        ),
      );
      expect(results.reduce((sum, r) => sum + r.taken.recipients, 0)).toBe(10);
      // The take that used the last recipients, and every one after it
      // (given nothing), say so.
      const full = results.filter(r => r.dayFull !== undefined);
      expect(full.length).toBeGreaterThan(0);
      expect(
        results.filter(r => r.taken.recipients === 0 && !r.dayFull),
      ).toEqual([]);
    });

    it('keeps nothing of a take that failed', async () => {
      await expect(
        ledger.withQuota('acct', 5, async () => {
          throw new Error('the claim failed');
        }),
      ).rejects.toThrow('the claim failed');
      expect(await ledger.withQuota('acct', 5, takeUpTo(9))).toBe(5);
    });

    it('shares the limit between replicas, over several windows', async () => {
      const replicas = [ledger, new RateLimitLedger(secondReplica())];
      const taken: number[] = [];
      for (let window = 0; window < 3; window++) {
        let total = 0;
        // Each replica asks five times a window for two at a time.
        for (let round = 0; round < 5; round++) {
          for (const replica of replicas) {
            total += await replica.withQuota('acct', 7, takeUpTo(2));
          }
        }
        taken.push(total);
        await age(MINUTE);
      }
      expect(taken).toEqual([7, 7, 7]);
    });

    // Proves it on PostgreSQL and MySQL: eight takes on two replicas' own
    // connections start at once (see startTogether) and each holds its
    // quota for a while. SQLite has one connection: there they take turns.
    it('never hands out more than the limit to replicas taking at the same time', async () => {
      const other = new RateLimitLedger(secondReplica());
      const slowTake = async (quota: number) => {
        // As a claim does: the quota is used inside the transaction.
        await delay(30);
        return Math.min(quota, 2);
      };
      const takes = [
        ledger,
        other,
        ledger,
        other,
        ledger,
        other,
        ledger,
        other,
      ];
      const results = await startTogether(
        knex,
        'mailer_rate_limit_locks',
        takes.map(replica => () => replica.withQuota('acct', 10, slowTake)),
      );
      expect(results.reduce((a, b) => a + b, 0)).toBe(10);
      const [{ used }] = await knex('mailer_rate_limit_ledger').sum({
        used: 'count',
      });
      expect(Number(used)).toBe(10);
    });
  },
);
