import { mockServices } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { openDatabase } from './openDatabase';
import { SettingsStore } from './SettingsStore';

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())(
  'SettingsStore on %s',
  databaseId => {
    let knex: Knex;
    let store: SettingsStore;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      store = new SettingsStore(
        await openDatabase(mockServices.database({ knex })),
      );
    });

    it('migrates up and down cleanly, and up again', async () => {
      const directory = `${__dirname}/../../migrations`;
      expect(await knex.schema.hasTable('mailer_settings')).toBe(true);
      await knex.migrate.rollback({ directory }, true);
      expect(await knex.schema.hasTable('mailer_settings')).toBe(false);
      expect(await knex.schema.hasTable('mailer_outbox')).toBe(false);
      expect(await knex.schema.hasTable('mailer_campaigns')).toBe(false);
      await knex.migrate.latest({ directory });
      expect(await knex.schema.hasTable('mailer_settings')).toBe(true);
    });

    it('skips migrations when the host asks it to', async () => {
      const fresh = await databases.init(databaseId);
      await openDatabase(
        mockServices.database({ knex: fresh, migrations: { skip: true } }),
      );
      expect(await fresh.schema.hasTable('mailer_settings')).toBe(false);
    });

    it('stores, overwrites and removes settings per tenant', async () => {
      await store.apply('t1', {
        put: [
          { key: 'SMTP.Server', value: 'a.example.com', encryptionKeyId: null },
          { key: 'SMTP.Password', value: 'v1.x.y.z', encryptionKeyId: 'k1' },
        ],
        remove: [],
        actor: 'user:default/ada',
      });
      await store.apply('t2', {
        put: [
          { key: 'SMTP.Server', value: 'b.example.com', encryptionKeyId: null },
        ],
        remove: [],
      });
      await store.apply('t1', {
        put: [
          { key: 'SMTP.Server', value: 'c.example.com', encryptionKeyId: null },
        ],
        remove: ['SMTP.Password'],
        actor: 'user:default/grace',
      });

      const t1 = await store.list('t1');
      expect(t1).toEqual([
        expect.objectContaining({
          key: 'SMTP.Server',
          value: 'c.example.com',
          encryptionKeyId: null,
          updatedBy: 'user:default/grace',
        }),
      ]);
      expect(t1[0].updatedAt).toBeInstanceOf(Date);
      expect((await store.list('t2')).map(s => s.value)).toEqual([
        'b.example.com',
      ]);
    });

    it('applies a change all or nothing', async () => {
      await store.apply('t1', {
        put: [
          { key: 'SMTP.Server', value: 'a.example.com', encryptionKeyId: null },
        ],
        remove: [],
      });
      // The second row breaks the NOT NULL constraint after the removal already ran.
      const broken = {
        put: [
          { key: 'SMTP.Port', value: '587', encryptionKeyId: null },
          {
            key: 'SMTP.Username',
            value: null as unknown as string,
            encryptionKeyId: null,
          },
        ],
        remove: ['SMTP.Server'],
      };
      // Not `rejects.toThrow()`: better-sqlite3's error class can come from
      // another test file's module registry, and then is not seen as an Error.
      const outcome = await store.apply('t1', broken).then(
        () => 'applied',
        () => 'refused',
      );
      expect(outcome).toBe('refused');
      expect((await store.list('t1')).map(s => [s.key, s.value])).toEqual([
        ['SMTP.Server', 'a.example.com'],
      ]);
    });
  },
);
