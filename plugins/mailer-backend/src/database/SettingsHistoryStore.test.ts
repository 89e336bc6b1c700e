import { mockServices } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { SettingsHistory } from '../service/SettingsHistory';
import { openDatabase } from './openDatabase';
import { SettingsHistoryStore } from './SettingsHistoryStore';
import { SettingsStore, StoredSettingsChange } from './SettingsStore';

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())(
  'SettingsHistoryStore on %s',
  databaseId => {
    let knex: Knex;
    let settings: SettingsStore;
    let store: SettingsHistoryStore;
    let history: SettingsHistory;

    beforeEach(async () => {
      knex = await openDatabase(
        mockServices.database({ knex: await databases.init(databaseId) }),
      );
      settings = new SettingsStore(knex);
      store = new SettingsHistoryStore(knex);
      history = new SettingsHistory(store);
    });

    /** Applies a change the way the settings service does: history in the same transaction. */
    const apply = (tenantId: string, change: StoredSettingsChange) =>
      settings.apply(tenantId, change, (tx, before) =>
        history.recordChange(tx, tenantId, before, change),
      );

    it('migrates down and up again', async () => {
      const directory = `${__dirname}/../../migrations`;
      // Down to the migration before it, whatever later ones there are.
      while (await knex.schema.hasTable('mailer_settings_history')) {
        await knex.migrate.down({ directory });
      }
      const [, pending] = await knex.migrate.list({ directory });
      expect(pending[0].file).toBe('20261205000000_settings_history.js');
      expect(await knex.schema.hasTable('mailer_settings')).toBe(true);
      await knex.migrate.latest({ directory });
      expect(await knex.schema.hasTable('mailer_settings_history')).toBe(true);
    });

    it('records which keys a change adds, changes and removes, per tenant, newest first', async () => {
      await apply('t1', {
        put: [
          { key: 'SMTP.Server', value: 'a.example.com', encryptionKeyId: null },
          { key: 'SMTP.Port', value: '587', encryptionKeyId: null },
          { key: 'SMTP.Password', value: 'v1.a.b.c', encryptionKeyId: 'k1' },
        ],
        remove: [],
        actor: 'user:default/ada',
      });
      await apply('t2', {
        put: [
          { key: 'SMTP.Server', value: 'b.example.com', encryptionKeyId: null },
        ],
        remove: [],
        actor: 'user:default/bob',
      });
      await apply('t1', {
        put: [
          // The same value again: not a change.
          { key: 'SMTP.Port', value: '587', encryptionKeyId: null },
          { key: 'SMTP.Server', value: 'c.example.com', encryptionKeyId: null },
          // A secret given again is always a change.
          { key: 'SMTP.Password', value: 'v1.d.e.f', encryptionKeyId: 'k1' },
          { key: 'SMTP.From', value: 'p@example.com', encryptionKeyId: null },
        ],
        // Not set: nothing to remove.
        remove: ['SMTP.FromName'],
        actor: 'user:default/grace',
      });
      await apply('t1', {
        put: [],
        remove: ['SMTP.From', 'SMTP.FromName'],
        actor: 'user:default/grace',
      });

      const t1 = await store.list('t1', 10);
      expect(t1).toEqual([
        {
          kind: 'change',
          at: expect.any(String),
          actor: 'user:default/grace',
          added: [],
          changed: [],
          removed: ['SMTP.From'],
        },
        {
          kind: 'change',
          at: expect.any(String),
          actor: 'user:default/grace',
          added: ['SMTP.From'],
          changed: ['SMTP.Password', 'SMTP.Server'],
          removed: [],
        },
        {
          kind: 'change',
          at: expect.any(String),
          actor: 'user:default/ada',
          added: ['SMTP.Password', 'SMTP.Port', 'SMTP.Server'],
          changed: [],
          removed: [],
        },
      ]);
      // The database's clock, within a minute of this one's.
      expect(Math.abs(Date.parse(t1[0].at) - Date.now())).toBeLessThan(60_000);
      expect(await store.list('t2', 10)).toEqual([
        expect.objectContaining({
          actor: 'user:default/bob',
          added: ['SMTP.Server'],
        }),
      ]);
      expect(await store.list('t1', 1)).toHaveLength(1);
    });

    it('writes nothing when a change saves no new value', async () => {
      const change: StoredSettingsChange = {
        put: [
          { key: 'SMTP.Server', value: 'a.example.com', encryptionKeyId: null },
        ],
        remove: ['SMTP.Port'],
      };
      await apply('t1', change);
      await apply('t1', change);
      expect(await knex('mailer_settings_history')).toHaveLength(1);
    });

    it('keeps no history of a change that was rolled back, and no change without its history', async () => {
      await apply('t1', {
        put: [
          { key: 'SMTP.Server', value: 'a.example.com', encryptionKeyId: null },
        ],
        remove: [],
      });
      // The history line is written first; the NOT NULL value then fails.
      const broken: StoredSettingsChange = {
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
      // Not `rejects.toThrow()`: the driver's error class may come from
      // another module registry, and then is not seen as an Error.
      const outcome = await apply('t1', broken).then(
        () => 'applied',
        () => 'refused',
      );
      expect(outcome).toBe('refused');
      expect(await store.list('t1', 10)).toEqual([
        expect.objectContaining({ added: ['SMTP.Server'] }),
      ]);

      // And the other way round: a history line that cannot be written
      // (here, its table is gone) takes the settings change with it.
      await knex.schema.dropTable('mailer_settings_history');
      const orphan = await apply('t1', {
        put: [{ key: 'SMTP.Port', value: '2525', encryptionKeyId: null }],
        remove: ['SMTP.Server'],
      }).then(
        () => 'applied',
        () => 'refused',
      );
      expect(orphan).toBe('refused');
      expect((await settings.list('t1')).map(s => [s.key, s.value])).toEqual([
        ['SMTP.Server', 'a.example.com'],
      ]);
    });

    it('records connection tests with the server and outcome, and purges lines past the retention period', async () => {
      await history.recordConnectionTest(
        't1',
        'user:default/ada',
        { host: 'smtp.example.com', port: 587 },
        {
          outcome: 'authentication-failed',
          message: 'no',
          messageSent: false,
          server: 'custom',
        },
      );
      await apply('t1', {
        put: [
          { key: 'SMTP.Server', value: 'a.example.com', encryptionKeyId: null },
        ],
        remove: [],
      });
      expect(await store.list('t1', 10)).toEqual([
        expect.objectContaining({ kind: 'change' }),
        {
          kind: 'connection-test',
          at: expect.any(String),
          actor: 'user:default/ada',
          host: 'smtp.example.com',
          port: 587,
          outcome: 'authentication-failed',
          messageSent: false,
        },
      ]);

      // Make the test ten days old.
      await knex('mailer_settings_history')
        .where({ kind: 'connection-test' })
        .update({ created_at: Date.now() - 10 * 86_400_000 });
      expect(await history.purge(11 * 86_400_000)).toBe(0);
      expect(await history.purge(9 * 86_400_000)).toBe(1);
      expect(await store.list('t1', 10)).toEqual([
        expect.objectContaining({ kind: 'change' }),
      ]);
    });
  },
);
