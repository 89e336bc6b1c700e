import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { SmtpTestServer } from '@internal/smtp-test-server';
import { testEncryptionKey } from '../__testUtils__/mailerTestBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { SecretCipher } from '../crypto/SecretCipher';
import { openDatabase } from '../database/openDatabase';
import { SettingsStore } from '../database/SettingsStore';
import { TenantSettingsService } from '../service/TenantSettingsService';
import { SmtpTransports } from './SmtpTransports';

const databases = createTestDatabases();
let smtp: SmtpTestServer;
beforeAll(async () => {
  smtp = await SmtpTestServer.start();
});
afterAll(() => smtp.close());

async function setup(limits: { maxPools: number; idlePoolMs: number }) {
  const knex = await databases.init('SQLITE_3');
  const cipher = SecretCipher.fromConfig(
    new ConfigReader({
      mailer: {
        encryption: { keys: [{ id: 't', secret: testEncryptionKey }] },
      },
    }),
  );
  const settings = new TenantSettingsService(
    new SettingsStore(await openDatabase(mockServices.database({ knex }))),
    cipher,
    'no-reply@elixeum.cloud',
  );
  const transports = new SmtpTransports(
    settings,
    {
      host: smtp.host,
      port: smtp.port,
      security: 'none',
      from: 'no-reply@elixeum.cloud',
    },
    [],
    { maxConnections: 2, ...limits },
  );
  const configure = (tenantId: string, extra: Record<string, string> = {}) =>
    settings.updateSettings(tenantId, {
      'SMTP.Server': smtp.host,
      'SMTP.Port': String(smtp.port),
      'SMTP.Username': `${tenantId}@example.com`,
      'SMTP.Password': 'secret',
      'SMTP.Security': 'none',
      ...extra,
    });
  return { transports, configure };
}

describe('SmtpTransports', () => {
  it('caps the number of tenant pools and closes idle ones', async () => {
    const { transports, configure } = await setup({
      maxPools: 2,
      idlePoolMs: 500,
    });
    try {
      for (const tenant of ['t1', 't2', 't3']) {
        await configure(tenant);
        (await transports.acquire(tenant)).release();
      }
      expect(transports.openPools).toBe(2);
      await new Promise(resolve => setTimeout(resolve, 1600));
      expect(transports.openPools).toBe(0);
    } finally {
      transports.close();
    }
  });

  it('lets messages on a pool finish after the settings change, then uses the new one', async () => {
    const { transports, configure } = await setup({
      maxPools: 10,
      idlePoolMs: 60_000,
    });
    try {
      await configure('t1');
      const before = await transports.acquire('t1');
      await configure('t1', { 'SMTP.From': 'new-sender@example.com' });
      const after = await transports.acquire('t1');
      expect(after.transport).not.toBe(before.transport);
      expect(after.server.from).toBe('new-sender@example.com');

      await before.transport.sendMail({
        from: before.server.from,
        to: 'a@example.com',
        subject: 'old',
        text: 'x',
      });
      await after.transport.sendMail({
        from: after.server.from,
        to: 'a@example.com',
        subject: 'new',
        text: 'x',
      });
      before.release();
      after.release();
      const messages = await smtp.waitForMessages(2);
      expect(
        messages.map(m => [m.parsed.subject, m.envelope.mailFrom]),
      ).toEqual([
        ['old', 't1@example.com'],
        ['new', 'new-sender@example.com'],
      ]);
    } finally {
      transports.close();
    }
  });
});
