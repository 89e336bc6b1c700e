import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DeliveryPauses } from './DeliveryPauses';
import { openDatabase } from './openDatabase';

const databases = createTestDatabases();
const HOUR = 3_600_000;

describe.each(databases.eachSupportedId())(
  'delivery pauses on %s',
  databaseId => {
    it('purges pauses nobody tried again for a while, keeping those in use', async () => {
      const knex = await databases.init(databaseId);
      await openDatabase(mockServices.database({ knex }));
      const pauses = new DeliveryPauses(knex);
      const cause = { reason: 'refused', reply: { code: 'ECONNREFUSED' } };
      await pauses.pause('old-settings', 't', cause, () => 1000);
      await pauses.pause('current', 't', cause, () => 1000);
      await knex('mailer_delivery_pauses')
        .where({ lane_key: 'old-settings' })
        .update({ updated_at: knex.raw(`updated_at - ${2 * HOUR}`) });

      expect(await pauses.purgeStale(HOUR)).toBe(1);

      const { pauses: left } = await pauses.all();
      expect([...left.keys()]).toEqual(['current']);
    });

    it('stores a reason with any bytes a server sent, cleaned', async () => {
      const knex = await databases.init(databaseId);
      await openDatabase(mockServices.database({ knex }));
      const pauses = new DeliveryPauses(knex);
      const stored = await pauses.pause(
        'lane',
        undefined,
        {
          reason: `554 x\0y \u{1f4a9} ${'z'.repeat(5000)}`,
          advice: 'Wait.',
          reply: { code: 'E\0', responseCode: 99999 },
        },
        () => 1000,
      );
      expect(stored.reason.startsWith('554 x y \ufffd zzz')).toBe(true);
      expect(stored.reason.length).toBeLessThanOrEqual(2000);
      expect(stored.reply).toEqual({ code: 'E' });
    });
  },
);
