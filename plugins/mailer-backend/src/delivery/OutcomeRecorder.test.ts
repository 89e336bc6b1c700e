import { mockServices } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { ClaimedMessage, OutboxClaims } from '../database/OutboxClaims';
import { OutboxQueue } from '../database/OutboxQueue';
import { openDatabase } from '../database/openDatabase';
import { OutcomeRecorder } from './OutcomeRecorder';

const databases = createTestDatabases();

/**
 * Makes the database refuse any write of a reply containing "poison", as a
 * column's charset or a constraint may refuse what a server said.
 */
async function refusePoison(knex: Knex, engine: string): Promise<void> {
  if (engine.startsWith('POSTGRES')) {
    await knex.raw(`CREATE FUNCTION refuse_poison() RETURNS trigger AS $$
      BEGIN
        IF NEW.last_reply LIKE '%poison%' THEN RAISE EXCEPTION 'refused'; END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql`);
    await knex.raw(`CREATE TRIGGER refuse_poison BEFORE UPDATE ON mailer_outbox
      FOR EACH ROW EXECUTE FUNCTION refuse_poison()`);
  } else if (engine.startsWith('MYSQL')) {
    await knex.raw(`CREATE TRIGGER refuse_poison BEFORE UPDATE ON mailer_outbox
      FOR EACH ROW BEGIN
        IF NEW.last_reply LIKE '%poison%' THEN
          SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused';
        END IF;
      END`);
  } else {
    await knex.raw(`CREATE TRIGGER refuse_poison BEFORE UPDATE ON mailer_outbox
      WHEN NEW.last_reply LIKE '%poison%'
      BEGIN SELECT RAISE(ABORT, 'refused'); END`);
  }
}

describe.each(databases.eachSupportedId())(
  'recording outcomes on %s',
  databaseId => {
    it('records every other outcome of a group at once when the database refuses one, and that one without the server’s text', async () => {
      const knex = await databases.init(databaseId);
      await openDatabase(mockServices.database({ knex }));
      const ids = ['m1', 'm2', 'm3', 'm4'];
      await new OutboxQueue(knex).createCampaign(
        { id: 'c', tenantId: 't', priority: 0, template: { subject: 's' } },
        ids.map(id => ({ id, recipients: { to: [`${id}@example.com`] } })),
      );
      const claims = new OutboxClaims(knex);
      const claimed = await claims.claim({
        tenantId: 't',
        limit: 10,
        token: 'claim-1',
        leaseMs: 60_000,
      });
      expect(claimed).toHaveLength(4);
      await refusePoison(knex, databaseId);

      const recorded: string[] = [];
      const lost: string[] = [];
      const recorder = new OutcomeRecorder(
        claims,
        // One group: all four are added before the first write.
        20,
        mockServices.rootLogger(),
        {
          recorded: rows => recorded.push(...rows.map(r => r.outcome.id)),
          lost: messages => lost.push(...messages.map(m => m.id)),
        },
      );
      const byId = new Map(claimed.map(m => [m.id, m]));
      const message = (id: string) => byId.get(id) as ClaimedMessage;
      const reply = (text: string) => ({ responseCode: 550, response: text });
      recorder.add(message('m1'), {
        kind: 'failed',
        id: 'm1',
        reply: reply('550 5.1.1 unknown'),
        results: { 'm1@example.com': { state: 'failed', reply: reply('550') } },
      });
      recorder.add(message('m2'), {
        kind: 'failed',
        id: 'm2',
        reply: reply('550 poison'),
        results: {
          'm2@example.com': { state: 'failed', reply: reply('550 poison') },
        },
      });
      recorder.add(message('m3'), {
        kind: 'retry',
        id: 'm3',
        delayMs: 1000,
        reply: { responseCode: 451, response: '451 later' },
        results: { 'm3@example.com': { state: 'deferred' } },
      });
      recorder.add(message('m4'), {
        kind: 'delivered',
        id: 'm4',
        state: 'sent',
        messageId: '<m4@example.com>',
        results: { 'm4@example.com': { state: 'sent' } },
      });
      await recorder.flush(10_000);

      expect(recorded.sort()).toEqual(ids);
      expect(lost).toEqual([]);
      const rows = await knex('mailer_outbox')
        .orderBy('id')
        .select('id', 'state', 'last_reply', 'last_response_code');
      expect(rows).toEqual([
        expect.objectContaining({
          id: 'm1',
          state: 'failed',
          last_reply: '550 5.1.1 unknown',
        }),
        {
          id: 'm2',
          state: 'failed',
          last_reply: "The server's reply could not be stored",
          last_response_code: 550,
        },
        expect.objectContaining({
          id: 'm3',
          state: 'waiting',
          last_reply: '451 later',
        }),
        expect.objectContaining({ id: 'm4', state: 'sent' }),
      ]);
    });
  },
);
