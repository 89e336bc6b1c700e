import { mockServices } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { openDatabase } from './openDatabase';
import { OutboxQueue } from './OutboxQueue';

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
