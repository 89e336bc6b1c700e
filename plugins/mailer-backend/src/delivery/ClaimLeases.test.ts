import { mockServices } from '@backstage/backend-test-utils';
import { eventually } from '../__testUtils__/outboxHarness';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { OutboxClaims } from '../database/OutboxClaims';
import { OutboxQueue } from '../database/OutboxQueue';
import { openDatabase } from '../database/openDatabase';
import { ClaimLeases } from './ClaimLeases';

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('claim leases on %s', databaseId => {
  it('extends the leases of claims a lane still holds, and lets the others run out', async () => {
    const knex = await databases.init(databaseId);
    await openDatabase(mockServices.database({ knex }));
    await new OutboxQueue(knex).createCampaign(
      { id: 'c', tenantId: 't', priority: 0, template: { subject: 's' } },
      ['held', 'stray'].map(id => ({
        id,
        recipients: { to: [`${id}@x.test`] },
      })),
    );
    const claims = new OutboxClaims(knex);
    for (const id of ['held', 'stray']) {
      const [claimed] = await claims.claim({
        tenantId: 't',
        limit: 1,
        token: id,
        leaseMs: 3_000,
      });
      expect(claimed).toBeDefined();
    }
    const leaseOf = async (id: string) =>
      Number(
        (await knex('mailer_outbox').where({ id }).first('lease_until'))
          .lease_until,
      );
    const before = {
      held: await leaseOf('held'),
      stray: await leaseOf('stray'),
    };
    const leases = new ClaimLeases(
      claims,
      3_000,
      mockServices.rootLogger(),
      // A lane holds the first claim; nothing holds the second (a bug).
      () => new Set(['held']),
    );
    leases.add('held', 1, leases.now());
    leases.add('stray', 1, leases.now());
    leases.start();
    try {
      await eventually(
        async () => (await leaseOf('held')) > before.held,
        5_000,
        'the held lease to be extended',
      );
      expect(leases.holds('held')).toBe(true);
      expect(leases.holds('stray')).toBe(false);
      expect(await leaseOf('stray')).toBe(before.stray);
    } finally {
      leases.stop();
    }
  });
});
