import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { SecretCipher } from '../crypto/SecretCipher';
import { openDatabase } from '../database/openDatabase';
import { SettingsStore } from '../database/SettingsStore';
import { ServerPolicy } from '../security/ServerPolicy';
import { TenantSettingsService } from '../service/TenantSettingsService';
import { testEncryptionKey } from './mailerTestBackend';

/** The test servers listen on loopback, on any port. */
export const LOOPBACK_ANY_PORT = {
  allowedHosts: [{ host: '127.0.0.1', ports: 'any' }],
};

/** A server policy from its `mailer.serverPolicy` config. */
export function serverPolicyOf(serverPolicy: object): ServerPolicy {
  return ServerPolicy.fromConfig(
    new ConfigReader({ mailer: { serverPolicy } }),
  );
}

/**
 * Tenant settings on a fresh SQLite database, encrypted with the test key,
 * checked against `serverPolicy` (loopback on any port unless given), with
 * the default mailbox no-reply@elixeum.cloud: what the connection tests
 * are built on.
 */
export async function testTenantSettings(
  databases: TestDatabases,
  serverPolicy: object = LOOPBACK_ANY_PORT,
) {
  const knex = await databases.init('SQLITE_3');
  const store = new SettingsStore(
    await openDatabase(mockServices.database({ knex })),
  );
  const cipher = SecretCipher.fromConfig(
    new ConfigReader({
      mailer: {
        encryption: { keys: [{ id: 't', secret: testEncryptionKey }] },
      },
    }),
  );
  const policy = serverPolicyOf(serverPolicy);
  const settings = new TenantSettingsService(
    store,
    cipher,
    'no-reply@elixeum.cloud',
    policy,
  );
  return { knex, settings, policy };
}
