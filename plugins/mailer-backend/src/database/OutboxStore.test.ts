import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { openDatabase } from './openDatabase';
import { OutboxStore } from './OutboxStore';

const databases = createTestDatabases();
const DAY = 86_400_000;

describe.each(databases.eachSupportedId())('OutboxStore on %s', databaseId => {
  async function storeWithMail(now: number) {
    const knex = await databases.init(databaseId);
    const store = new OutboxStore(
      await openDatabase(mockServices.database({ knex })),
    );
    for (const [campaign, messages] of [
      ['old', ['old-sent', 'old-failed', 'old-queued']],
      ['new', ['new-sent']],
    ] as const) {
      await store.createCampaign(
        {
          id: campaign,
          tenantId: 't',
          priority: 1,
          template: { subject: campaign },
          now: now - 10 * DAY,
        },
        messages.map(id => ({ id, recipients: { to: [`${id}@example.com`] } })),
      );
    }
    await knex('mailer_outbox')
      .whereIn('id', ['old-sent', 'new-sent'])
      .update({ state: 'sent' });
    await knex('mailer_outbox')
      .where({ id: 'old-failed' })
      .update({ state: 'failed' });
    await knex('mailer_outbox')
      .where({ id: 'new-sent' })
      .update({ updated_at: now - DAY });
    return { knex, store };
  }

  it('deletes finished mail past the retention, keeps the rest, and drops emptied campaigns', async () => {
    const now = Date.now();
    const { knex, store } = await storeWithMail(now);
    expect(await store.purgeFinished(now - 5 * DAY)).toBe(2);
    expect(
      (await knex('mailer_outbox').orderBy('id').pluck('id')).sort(),
    ).toEqual(['new-sent', 'old-queued']);
    expect((await knex('mailer_campaigns').pluck('id')).sort()).toEqual([
      'new',
      'old',
    ]);

    await knex('mailer_outbox')
      .where({ id: 'old-queued' })
      .update({ state: 'failed' });
    await store.purgeFinished(now - 5 * DAY);
    expect(await knex('mailer_campaigns').pluck('id')).toEqual(['new']);
  });

  it('never lets two claims take the same message', async () => {
    const now = Date.now();
    const { store } = await storeWithMail(now);
    const claim = (token: string) =>
      store.claim({
        token,
        limit: 10,
        leaseMs: 60_000,
        now,
        rateLimitOf: async () => undefined,
      });
    const [a, b] = await Promise.all([claim('a'), claim('b')]);
    expect([...a, ...b].map(m => m.id)).toEqual(['old-queued']);
    expect(await claim('c')).toEqual([]);
    // Once the lease is over, the message can be claimed again.
    const later = await store.claim({
      token: 'd',
      limit: 10,
      leaseMs: 60_000,
      now: now + 61_000,
      rateLimitOf: async () => undefined,
    });
    expect(later.map(m => [m.id, m.attempts])).toEqual([['old-queued', 2]]);
  });
});
