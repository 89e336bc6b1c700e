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
    it('refuses a change checked against settings that changed meanwhile, and stores nothing of it', async () => {
      const server = (value: string) => ({
        put: [{ key: 'SMTP.Server', value, encryptionKeyId: null }],
        remove: [],
      });
      await store.apply('t1', server('a.example.com'));
      const checked = await store.list('t1');
      await store.apply('t1', server('b.example.com'));
      await expect(
        store.apply(
          't1',
          {
            put: [
              { key: 'SMTP.Password', value: 'v1.x', encryptionKeyId: 'k1' },
            ],
            remove: [],
          },
          undefined,
          { checkedAgainst: checked },
        ),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      expect((await store.list('t1')).map(s => [s.key, s.value])).toEqual([
        ['SMTP.Server', 'b.example.com'],
      ]);
    });

    // Proves the lock on PostgreSQL and MySQL, where the two changes run on
    // connections of their own; SQLite has one connection, which takes them
    // in turn.
    it.each([
      ['a tenant with settings', true],
      ['a tenant saving for the first time', false],
    ])(
      'lets only one of two simultaneous changes of %s through, checked against the same settings',
      async (_case, existing) => {
        if (existing) {
          await store.apply('t1', {
            put: [{ key: 'SMTP.Port', value: '587', encryptionKeyId: null }],
            remove: [],
          });
        }
        const checked = await store.list('t1');
        // Each change dawdles after its check, so that without a lock both
        // would check before either writes.
        const dawdle = () => new Promise<void>(r => setTimeout(r, 200));
        // One admin re-enters the password for the server as it is; another
        // points the settings at a server of their own, with its password.
        const outcomes = await Promise.all([
          store
            .apply(
              't1',
              {
                put: [
                  {
                    key: 'SMTP.Password',
                    value: 'v1.admin',
                    encryptionKeyId: 'k1',
                  },
                ],
                remove: [],
              },
              dawdle,
              { checkedAgainst: checked },
            )
            .then(
              () => 'stored',
              e => e.name,
            ),
          store
            .apply(
              't1',
              {
                put: [
                  {
                    key: 'SMTP.Server',
                    value: 'evil.example.com',
                    encryptionKeyId: null,
                  },
                  {
                    key: 'SMTP.Password',
                    value: 'v1.other',
                    encryptionKeyId: 'k1',
                  },
                ],
                remove: [],
              },
              dawdle,
              { checkedAgainst: checked },
            )
            .then(
              () => 'stored',
              e => e.name,
            ),
        ]);
        expect(outcomes.sort()).toEqual(['ConflictError', 'stored']);
        const stored = Object.fromEntries(
          (await store.list('t1')).map(s => [s.key, s.value]),
        );
        // Never the admin's password with the other server.
        expect(
          stored['SMTP.Server'] === 'evil.example.com' &&
            stored['SMTP.Password'] === 'v1.admin',
        ).toBe(false);
      },
    );
  },
);
