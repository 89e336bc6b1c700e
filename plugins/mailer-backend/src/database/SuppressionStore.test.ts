import { mockServices } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { openDatabase } from './openDatabase';
import { SuppressionStore } from './SuppressionStore';

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())(
  'SuppressionStore on %s',
  databaseId => {
    let knex: Knex;
    let store: SuppressionStore;

    beforeEach(async () => {
      knex = await openDatabase(
        mockServices.database({ knex: await databases.init(databaseId) }),
      );
      store = new SuppressionStore(knex);
    });

    const news = { list: 'news' };

    it('migrates down and up again, with the outbox columns it adds', async () => {
      const directory = `${__dirname}/../../migrations`;
      while (await knex.schema.hasTable('mailer_suppressions')) {
        await knex.migrate.down({ directory });
      }
      expect(await knex.schema.hasColumn('mailer_outbox', 'list_id')).toBe(
        false,
      );
      await knex.migrate.latest({ directory });
      expect(await knex.schema.hasColumn('mailer_outbox', 'list_id')).toBe(
        true,
      );
      expect(
        await knex.schema.hasColumn('mailer_campaign_batches', 'suppressed'),
      ).toBe(true);
    });

    it('keeps bulk mail of a list from an address that left it, any case, and only in its tenant', async () => {
      await store.suppress('t1', 'Ada@Example.com', {
        scope: news,
        reason: 'unsubscribed',
      });
      const among = (tenant: string, list: string) =>
        store.suppressedAmong(
          tenant,
          ['ada@example.COM', 'bob@example.com'],
          list,
          'bulk',
        );
      expect([...(await among('t1', 'news')).keys()]).toEqual([
        'ada@example.com',
      ]);
      expect((await among('t1', 'other')).size).toBe(0);
      expect((await among('t2', 'news')).size).toBe(0);
    });

    it('keeps every list from an address that left all bulk mail, and transactional mail only after a hard bounce', async () => {
      await store.suppress('t1', 'ada@example.com', {
        scope: 'all-bulk',
        reason: 'unsubscribed',
      });
      await store.suppress('t1', 'gone@example.com', {
        scope: 'all-bulk',
        reason: 'hard-bounce',
      });
      const addresses = ['ada@example.com', 'gone@example.com'];
      const bulk = await store.suppressedAmong('t1', addresses, 'any', 'bulk');
      expect([...bulk.keys()].sort()).toEqual(addresses);
      const transactional = await store.suppressedAmong(
        't1',
        addresses,
        undefined,
        'transactional',
      );
      expect([...transactional.keys()]).toEqual(['gone@example.com']);
      expect(transactional.get('gone@example.com')?.reason).toBe('hard-bounce');
    });

    it('keeps the stronger reason, and lets a temporary suppression end', async () => {
      await store.suppress('t1', 'ada@example.com', {
        scope: 'all-bulk',
        reason: 'hard-bounce',
        campaignId: 'c-1',
      });
      // A later unsubscribe does not hide that the address bounces.
      await store.suppress('t1', 'ada@example.com', {
        scope: 'all-bulk',
        reason: 'unsubscribed',
        campaignId: 'c-2',
      });
      const [ada] = (await store.list('t1', { limit: 10, offset: 0 })).items;
      expect(ada).toMatchObject({ reason: 'hard-bounce', campaignId: 'c-1' });

      // A soft bounce that has already ended counts for nothing.
      await store.suppress('t1', 'bob@example.com', {
        scope: 'all-bulk',
        reason: 'soft-bounce',
        expiresInMs: -1000,
      });
      expect(
        (await store.suppressedAmong('t1', ['bob@example.com'], 'x', 'bulk'))
          .size,
      ).toBe(0);
      // An unsubscribe after a soft bounce lasts.
      await store.suppress('t1', 'bob@example.com', {
        scope: 'all-bulk',
        reason: 'soft-bounce',
        expiresInMs: 60_000,
      });
      await store.suppress('t1', 'bob@example.com', {
        scope: 'all-bulk',
        reason: 'unsubscribed',
      });
      const bob = (
        await store.suppressedAmong('t1', ['bob@example.com'], 'x', 'bulk')
      ).get('bob@example.com');
      expect(bob).toMatchObject({
        reason: 'unsubscribed',
        expiresAt: undefined,
      });
      // And a soft bounce after it does not make it end.
      await store.suppress('t1', 'bob@example.com', {
        scope: 'all-bulk',
        reason: 'soft-bounce',
        expiresInMs: 60_000,
      });
      const still = (
        await store.suppressedAmong('t1', ['bob@example.com'], 'x', 'bulk')
      ).get('bob@example.com');
      expect(still).toMatchObject({
        reason: 'unsubscribed',
        expiresAt: undefined,
      });
    });

    it('purges what ended, and nothing else', async () => {
      await store.suppress('t1', 'ended@example.com', {
        scope: 'all-bulk',
        reason: 'soft-bounce',
        expiresInMs: -1,
      });
      await store.suppress('t1', 'later@example.com', {
        scope: 'all-bulk',
        reason: 'soft-bounce',
        expiresInMs: 60_000,
      });
      await store.suppress('t1', 'kept@example.com', {
        scope: news,
        reason: 'unsubscribed',
      });
      expect(await store.purgeExpired()).toBe(1);
      const rows = await knex('mailer_suppressions').orderBy('address');
      expect(rows.map(r => r.address)).toEqual([
        'kept@example.com',
        'later@example.com',
      ]);
    });

    it('lists newest first in pages, searches part of the address with LIKE wildcards as plain characters', async () => {
      for (const address of [
        'a_b@example.com',
        'axb@example.com',
        '100%@example.com',
        'other@example.org',
      ]) {
        await store.suppress('t1', address, {
          scope: 'all-bulk',
          reason: 'admin',
        });
      }
      await store.suppress('t2', 'a_b@example.com', {
        scope: 'all-bulk',
        reason: 'admin',
      });
      // Newest first, by when each was suppressed.
      await knex('mailer_suppressions')
        .where({ address: 'other@example.org' })
        .update({ created_at: 1 });
      await knex('mailer_suppressions')
        .where({ tenant_id: 't1', address: 'axb@example.com' })
        .update({ created_at: Date.now() + 60_000 });
      const all = await store.list('t1', { limit: 2, offset: 0 });
      expect(all.items[0].address).toBe('axb@example.com');
      expect(all.total).toBe(4);
      expect(all.items).toHaveLength(2);
      const next = await store.list('t1', { limit: 2, offset: 2 });
      expect(
        new Set([...all.items, ...next.items].map(i => i.address)).size,
      ).toBe(4);
      expect(next.items[1].address).toBe('other@example.org');

      const search = async (text: string) =>
        (await store.list('t1', { search: text, limit: 10, offset: 0 })).items
          .map(i => i.address)
          .sort();
      expect(await search('A_B')).toEqual(['a_b@example.com']);
      expect(await search('%@')).toEqual(['100%@example.com']);
      expect(await search('example.com')).toHaveLength(3);
      expect(await search("'; drop table mailer_suppressions; --")).toEqual([]);
    });

    it('removes one scope of an address, with work in the same transaction, and says when there was nothing', async () => {
      await store.suppress('t1', 'ada@example.com', {
        scope: news,
        reason: 'unsubscribed',
      });
      await store.suppress('t1', 'ada@example.com', {
        scope: 'all-bulk',
        reason: 'unsubscribed',
      });
      const seen: string[] = [];
      const removed = await store.remove(
        't1',
        'ADA@example.com',
        news,
        async (tx, suppression) => {
          seen.push(suppression.address);
          // Inside the removal's transaction: the row is gone there.
          expect(
            await tx('mailer_suppressions').where({ list_id: 'news' }),
          ).toEqual([]);
        },
      );
      expect(removed).toMatchObject({ scope: news, reason: 'unsubscribed' });
      expect(seen).toEqual(['ada@example.com']);
      expect(await store.remove('t1', 'ada@example.com', news)).toBeUndefined();
      // The other scope stays.
      expect(
        (await store.suppressedAmong('t1', ['ada@example.com'], 'x', 'bulk'))
          .size,
      ).toBe(1);
    });

    it('rolls the removal back when the work beside it fails', async () => {
      await store.suppress('t1', 'ada@example.com', {
        scope: news,
        reason: 'unsubscribed',
      });
      await expect(
        store.remove('t1', 'ada@example.com', news, async () => {
          throw new Error('history refused');
        }),
      ).rejects.toThrow('history refused');
      expect(
        (await store.suppressedAmong('t1', ['ada@example.com'], 'news', 'bulk'))
          .size,
      ).toBe(1);
    });

    it('checks a thousand addresses of many lists in one claim', async () => {
      const addresses = Array.from(
        { length: 1200 },
        (_, i) => `r${i}@example.com`,
      );
      await store.suppress('t1', 'r1100@example.com', {
        scope: { list: 'l2' },
        reason: 'unsubscribed',
      });
      await store.suppress('t1', 'r5@example.com', {
        scope: { list: 'l9' },
        reason: 'unsubscribed',
      });
      const found = await store.matching('t1', addresses, ['l1', 'l2']);
      expect(found.map(f => f.address)).toEqual(['r1100@example.com']);
    });
  },
);
