import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { SecretCipher } from '../crypto/SecretCipher';
import { SecretReencryption } from '../service/SecretReencryption';
import { secretContext } from '../service/TenantSettingsService';
import { openDatabase } from './openDatabase';
import { SettingsStore } from './SettingsStore';
import { StoredSecrets } from './StoredSecrets';

const databases = createTestDatabases();

const keyA = { id: 'a', secret: randomBytes(32).toString('base64') };
const keyB = { id: 'b', secret: randomBytes(32).toString('base64') };
const keyGone = { id: 'gone', secret: randomBytes(32).toString('base64') };
const cipherOf = (...keys: Array<typeof keyA>) =>
  SecretCipher.fromConfig(
    new ConfigReader({ mailer: { encryption: { keys } } }),
  );

/** Log lines, as an operator reads them. */
function listeningLogger() {
  const lines: string[] = [];
  const logger = mockServices.logger.mock();
  logger.info.mockImplementation(m => lines.push(`info ${m}`));
  logger.warn.mockImplementation(m => lines.push(`warn ${m}`));
  return { logger, lines };
}

describe.each(databases.eachSupportedId())(
  're-encryption of stored secrets on %s',
  databaseId => {
    let knex: Knex;
    let settings: SettingsStore;
    let secrets: StoredSecrets;

    beforeEach(async () => {
      knex = await openDatabase(
        mockServices.database({ knex: await databases.init(databaseId) }),
      );
      settings = new SettingsStore(knex);
      secrets = new StoredSecrets(knex);
    });

    /** Stores `value` for the tenant and key, encrypted as the settings service does. */
    async function storeSecret(
      cipher: SecretCipher,
      tenantId: string,
      key: string,
      value: string,
    ) {
      const encrypted = cipher.encrypt(value, secretContext(tenantId, key));
      await settings.apply(tenantId, {
        put: [
          {
            key,
            value: encrypted.ciphertext,
            encryptionKeyId: encrypted.keyId,
          },
        ],
        remove: [],
        actor: 'user:default/ada',
      });
    }

    const rows = () =>
      knex('mailer_settings')
        .whereNotNull('encryption_key_id')
        .orderBy(['tenant_id', 'setting_key']);

    it('pages through the secrets under some keys, past rows left as they were, and counts per key', async () => {
      const a = cipherOf(keyA);
      for (const tenant of ['t1', 't2', 't3']) {
        await storeSecret(a, tenant, 'SMTP.Password', `${tenant}-password`);
        await storeSecret(a, tenant, 'SMTP.OAuth.ClientSecret', `${tenant}-cs`);
      }
      await storeSecret(cipherOf(keyB), 't4', 'SMTP.Password', 't4-password');
      await settings.apply('t1', {
        put: [{ key: 'SMTP.Server', value: 'x', encryptionKeyId: null }],
        remove: [],
      });

      expect(await secrets.countByKey()).toEqual(
        new Map([
          ['a', 6],
          ['b', 1],
        ]),
      );
      const seen: string[] = [];
      let page = await secrets.listUnder(['a'], 4);
      seen.push(...page.map(s => `${s.tenantId}/${s.key}`));
      page = await secrets.listUnder(['a'], 4, page[page.length - 1]);
      seen.push(...page.map(s => `${s.tenantId}/${s.key}`));
      expect(seen).toEqual([
        't1/SMTP.OAuth.ClientSecret',
        't1/SMTP.Password',
        't2/SMTP.OAuth.ClientSecret',
        't2/SMTP.Password',
        't3/SMTP.OAuth.ClientSecret',
        't3/SMTP.Password',
      ]);
      expect(await secrets.listUnder([], 10)).toEqual([]);
    });

    it('replaces a ciphertext only while the row still holds the one read: a save in between wins', async () => {
      const a = cipherOf(keyA);
      const b = cipherOf(keyB, keyA);
      await storeSecret(a, 't1', 'SMTP.Password', 'old-password-1');
      await storeSecret(a, 't2', 'SMTP.Password', 'old-password-2');
      const read = await secrets.listUnder(['a'], 10);
      const before = await rows();

      // A tenant saves a new password after the task read the rows.
      await storeSecret(b, 't2', 'SMTP.Password', 'new-password-2');
      const replaced = await secrets.replace(
        read.map(secret => ({
          read: secret,
          next: b.encrypt(
            b.decrypt(secret, secretContext(secret.tenantId, secret.key)),
            secretContext(secret.tenantId, secret.key),
          ),
        })),
      );

      expect(replaced).toBe(1);
      const after = await rows();
      const plain = (row: any) =>
        b.decrypt(
          { keyId: row.encryption_key_id, ciphertext: row.value },
          secretContext(row.tenant_id, row.setting_key),
        );
      expect(after.map(plain)).toEqual(['old-password-1', 'new-password-2']);
      expect(after.map(r => r.encryption_key_id)).toEqual(['b', 'b']);
      // Who saved it and when stay: the value did not change.
      expect(after[0].updated_by).toBe(before[0].updated_by);
      expect(new Date(after[0].updated_at).getTime()).toBe(
        new Date(before[0].updated_at).getTime(),
      );
    });

    it('moves every secret under older keys to the primary in small batches, counts what it cannot read, and says when an old key is free', async () => {
      const a = cipherOf(keyA);
      for (let i = 0; i < 7; i++) {
        await storeSecret(a, `t${i}`, 'SMTP.Password', `password-${i}`);
      }
      await storeSecret(cipherOf(keyGone), 'lost', 'SMTP.Password', 'lost-pw');
      // Altered at rest: fails its integrity check.
      await storeSecret(a, 'altered', 'SMTP.Password', 'altered-pw');
      await knex('mailer_settings')
        .where({ tenant_id: 'altered' })
        .update({ value: a.encrypt('other', 'another-context').ciphertext });

      const b = cipherOf(keyB, keyA);
      const { logger, lines } = listeningLogger();
      const report = await new SecretReencryption(secrets, b, logger, 3).run();

      expect(report).toEqual({
        reencrypted: 7,
        superseded: 0,
        unreadable: new Map([['a', 1]]),
        remaining: new Map([
          ['a', 1],
          ['b', 7],
          ['gone', 1],
        ]),
      });
      for (let i = 0; i < 7; i++) {
        const [row] = await knex('mailer_settings').where({
          tenant_id: `t${i}`,
        });
        expect(row.encryption_key_id).toBe('b');
        expect(
          b.decrypt(
            { keyId: 'b', ciphertext: row.value },
            secretContext(`t${i}`, 'SMTP.Password'),
          ),
        ).toBe(`password-${i}`);
      }
      expect(lines).toEqual([
        'info Re-encrypted 7 stored secrets with encryption key "b"',
        'warn 1 stored secrets under encryption key "a" failed their integrity check and were left as they are; their tenants must enter them again',
        'info 1 stored secrets remain under encryption key "a"',
        'warn 1 stored secrets are under encryption key "gone", which is not in mailer.encryption.keys: their tenants\' mail waits until the key is added back (after the primary key) or the secrets are entered again',
      ]);

      // Once the altered secret is entered again, key a is free.
      await storeSecret(b, 'altered', 'SMTP.Password', 'altered-pw');
      const again = listeningLogger();
      await new SecretReencryption(secrets, b, again.logger, 3).run();
      expect(again.lines).toContain(
        'info No secrets left under encryption key "a": it can be removed from mailer.encryption.keys',
      );
      // With only the primary key and nothing amiss, nothing to say.
      await knex('mailer_settings').where({ tenant_id: 'lost' }).delete();
      const quiet = listeningLogger();
      await new SecretReencryption(secrets, cipherOf(keyB), quiet.logger).run();
      expect(quiet.lines).toEqual([]);
    });
  },
);
