import { mockServices } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { openDatabase } from './openDatabase';
import { OutboxQueue } from './OutboxQueue';
import { isDuplicateKey } from './SendKeys';

const databases = createTestDatabases();
jest.setTimeout(30_000);

const CAMPAIGN = { id: 'c', tenantId: 't', priority: 1 };

/** A batch of `count` recipients; enough rows that inserting them takes several statements. */
const batch = (count: number, prefix = 'r') =>
  Array.from({ length: count }, (_, i) => ({
    id: `${prefix}${i}`,
    recipients: { to: [`${prefix}${i}@example.com`] },
  }));

const waitingOf = async (knex: Knex) => {
  const [{ n }] = await knex('mailer_outbox')
    .where({ campaign_id: CAMPAIGN.id, state: 'waiting' })
    .count({ n: '*' });
  return Number(n);
};

describe.each(databases.eachSupportedId())(
  'queueing into a cancelled campaign on %s',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      await openDatabase(mockServices.database({ knex }));
      const queue = new OutboxQueue(knex);
      await queue.createCampaign({ ...CAMPAIGN, template: { subject: 's' } });
      return { knex, queue };
    }

    it('refuses a batch once the cancel has committed, in the batch’s own transaction', async () => {
      const { knex, queue } = await setup();
      await queue.addMessages(CAMPAIGN, batch(3, 'before'), 0);
      await queue.cancelCampaign(CAMPAIGN.id);
      // As MailQueue.addRecipients would after reading the campaign before
      // the cancel: only the transaction can still refuse it.
      await expect(
        queue.addMessages(CAMPAIGN, batch(3, 'after'), 1),
      ).rejects.toMatchObject({
        name: 'ConflictError',
        message: 'Campaign c was cancelled',
      });
      expect(await waitingOf(knex)).toBe(0);
      const [{ n }] = await knex('mailer_campaign_batches').count({ n: '*' });
      expect(Number(n)).toBe(1);
    });

    // On PostgreSQL and MySQL the cancel runs on a connection of its own
    // while the batch's transaction is open (it starts when the batch's
    // first INSERT goes out, after the batch read the campaign). SQLite has
    // one connection, so there the two take turns.
    it('withdraws a batch that a cancel overtook mid-insert: no waiting row of a cancelled campaign is left', async () => {
      const { knex, queue } = await setup();
      let cancelling: Promise<number> | undefined;
      const cancelAtFirstInsert = (query: { sql: string }) => {
        if (!cancelling && /^insert into .mailer_outbox./i.test(query.sql)) {
          cancelling = queue.cancelCampaign(CAMPAIGN.id);
        }
      };
      knex.on('query', cancelAtFirstInsert);
      try {
        const added = await queue.addMessages(CAMPAIGN, batch(2000), 0);
        expect(added.accepted).toBe(2000);
        expect(cancelling).toBeDefined();
        expect(await cancelling).toBe(2000);
      } finally {
        knex.removeListener('query', cancelAtFirstInsert);
      }
      expect(await waitingOf(knex)).toBe(0);
      const campaign = await queue.campaign(CAMPAIGN.id);
      expect(campaign?.cancelled).toBe(true);
    });
  },
);

describe.each(databases.eachSupportedId())(
  'single sends at the same time on %s',
  databaseId => {
    const single = (n: number) => ({
      campaign: {
        id: `single-${n}`,
        tenantId: 't',
        priority: 0,
        template: { subject: `Reset ${n}`, text: 'Your link' },
      },
      messages: [{ id: `m${n}`, recipients: { to: [`user${n}@example.com`] } }],
      sendKey: {
        id: { tenantId: 't', caller: 'plugin:auth', key: `key-${n}` },
        use: { messageId: `m${n}`, requestHash: `hash-${n}` },
      },
    });

    it('commits them together in a few statements', async () => {
      const knex = await databases.init(databaseId);
      await openDatabase(mockServices.database({ knex }));
      const queue = new OutboxQueue(knex);
      let campaignInserts = 0;
      knex.on('query', (query: { sql: string }) => {
        if (/^insert into .mailer_campaigns./i.test(query.sql)) {
          campaignInserts += 1;
        }
      });
      await Promise.all(
        Array.from({ length: 40 }, (_, n) => {
          const { campaign, messages, sendKey } = single(n);
          return queue.createCampaign(campaign, messages, sendKey);
        }),
      );
      const [{ n: queued }] = await knex('mailer_outbox').count({ n: '*' });
      expect(Number(queued)).toBe(40);
      // The first goes alone at once; the others gather behind it.
      expect(campaignInserts).toBeLessThanOrEqual(3);
    });

    it('fails only the one whose key is taken, with its own error, and queues the others of its group', async () => {
      const knex = await databases.init(databaseId);
      await openDatabase(mockServices.database({ knex }));
      const queue = new OutboxQueue(knex);
      const taken = single(7);
      await queue.createCampaign(taken.campaign, taken.messages, taken.sendKey);

      const settled = await Promise.allSettled(
        Array.from({ length: 40 }, (_, n) => {
          const { campaign, messages, sendKey } = single(100 + n);
          // The 21st reuses the key of the message queued above.
          const key = n === 20 ? taken.sendKey.id : sendKey.id;
          return queue.createCampaign(campaign, messages, {
            id: key,
            use: sendKey.use,
          });
        }),
      );

      const refused = settled.flatMap((s, n) =>
        s.status === 'rejected' ? [{ n, reason: s.reason }] : [],
      );
      expect(refused.map(r => r.n)).toEqual([20]);
      expect(isDuplicateKey(refused[0].reason)).toBe(true);
      const rows = await knex('mailer_outbox').select('id');
      expect(rows.map(r => r.id).sort()).toEqual(
        ['m7', ...Array.from({ length: 40 }, (_, n) => `m${100 + n}`)]
          .filter(id => id !== 'm120')
          .sort(),
      );
      const [{ n: campaigns }] = await knex('mailer_campaigns').count({
        n: '*',
      });
      expect(Number(campaigns)).toBe(40);
    });
  },
);
