import { mockCredentials } from '@backstage/backend-test-utils';
import { SmtpTestServer } from '@internal/smtp-test-server';
import request from 'supertest';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import {
  captured,
  startMailerTestBackend,
} from './__testUtils__/mailerTestBackend';
import { saveSettings } from './__testUtils__/saveSettings';
import { createTestDatabases } from './__testUtils__/testDatabases';

const databases = createTestDatabases();
const USER = 'mailer@tenant.example';
const PASSWORD = 'stored-Password-of-server-A';
const ADMIN = 'user:default/admin';

let saved: SmtpTestServer;
let other: SmtpTestServer;
beforeEach(async () => {
  saved = await SmtpTestServer.start({ users: { [USER]: PASSWORD } });
  // Accepts any login, as a server set up to harvest passwords would.
  other = await SmtpTestServer.start();
});
afterEach(async () => {
  await saved.close();
  await other.close();
});

describe.each(databases.eachSupportedId())(
  'the stored password belongs to its server, on %s',
  databaseId => {
    async function start() {
      const consumer = createConsumerPlugin();
      const started = await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: '127.0.0.1', port: 1 },
        features: [consumer.plugin],
      });
      await saveSettings(started.server, {
        'SMTP.Server': saved.host,
        'SMTP.Port': saved.port,
        'SMTP.Username': USER,
        'SMTP.Password': PASSWORD,
        'SMTP.Security': 'none',
      });
      const storedRows = () =>
        started.knex('mailer_settings').select().orderBy('setting_key');
      return { ...started, mailer: consumer.mailer(), storedRows };
    }

    const connectionTest = (
      server: Parameters<typeof request>[0],
      body: object,
    ) =>
      request(server)
        .post('/api/mailer/connection-test')
        .set('Authorization', mockCredentials.user.header(ADMIN))
        .send(body);

    it('refuses a connection test of a new server with the stored password: nothing reaches it', async () => {
      const { server } = await start();
      for (const values of [
        { 'SMTP.Port': String(other.port) },
        { 'SMTP.Port': String(other.port), 'SMTP.Password': '' },
        { 'SMTP.Username': 'harvest@attacker.example' },
      ]) {
        const response = await connectionTest(server, {
          values,
          sendTo: 'attacker@example.com',
        }).expect(400);
        expect(response.body.error.message).toContain(
          'SMTP.Password must be entered again for the new server',
        );
      }
      expect(other.authAttempts).toEqual([]);
      expect(other.connections.opened).toBe(0);
      expect(saved.authAttempts).toEqual([]);
    });

    it('refuses to save a new server with the stored password, and delivery keeps to the old one', async () => {
      const { server, mailer, storedRows } = await start();
      const before = await storedRows();
      const response = await request(server)
        .put('/api/mailer/settings')
        .send({ values: { 'SMTP.Port': other.port } })
        .expect(400);
      expect(response.body.error.message).toContain('SMTP.Password');
      expect(await storedRows()).toEqual(before);

      const status = await mailer.waitForDelivery(
        (await mailer.send({ to: 'ada@example.com', subject: 's', text: 't' }))
          .id,
        { timeoutMs: 10_000 },
      );
      expect(status.state).toBe('sent');
      expect(saved.authAttempts.map(a => a.password)).toEqual([PASSWORD]);
      expect(other.authAttempts).toEqual([]);
      expect(other.connections.opened).toBe(0);
    });

    it('switches to OAuth2 without the password, removing it, so that switching back asks for it again', async () => {
      const { server, storedRows } = await start();
      const keysOf = async () =>
        (await storedRows()).map((row: any) => row.setting_key);
      const toOAuth = await request(server)
        .put('/api/mailer/settings')
        .send({
          values: {
            'SMTP.AuthMethod': 'xoauth2',
            'SMTP.OAuth.Provider': 'microsoft',
            'SMTP.OAuth.TenantId': 'contoso.onmicrosoft.com',
            'SMTP.OAuth.ClientId': 'app-client-id',
            'SMTP.OAuth.ClientSecret': 'the-client-Secret-value',
          },
        })
        .expect(200);
      expect(toOAuth.body.status).toMatchObject({
        server: 'custom',
        missingKeys: [],
      });
      expect(await keysOf()).not.toContain('SMTP.Password');
      expect(await keysOf()).toContain('SMTP.OAuth.ClientSecret');

      // Back to a password: the old one is gone, and the client secret goes too.
      const back = await request(server)
        .put('/api/mailer/settings')
        .send({ values: { 'SMTP.AuthMethod': null } })
        .expect(200);
      expect(back.body.status).toMatchObject({
        server: 'default',
        missingKeys: ['SMTP.Password'],
      });
      expect(await keysOf()).not.toContain('SMTP.OAuth.ClientSecret');
      expect(await keysOf()).not.toContain('SMTP.Password');
    });

    it('tests a new server with the password entered for it', async () => {
      const { server } = await start();
      const response = await connectionTest(server, {
        values: {
          'SMTP.Port': String(other.port),
          'SMTP.Password': 'new-Password-for-B',
        },
      }).expect(200);
      expect(response.body.outcome).toBe('success');
      expect(other.authAttempts.map(a => a.password)).toEqual([
        'new-Password-for-B',
      ]);
    });

    it('audits every connection test: who, tenant, host, port, test message, outcome; never values', async () => {
      const { server } = await start();
      captured.auditEvents.length = 0;
      await connectionTest(server, { sendTo: 'admin@tenant.example' }).expect(
        200,
      );
      await connectionTest(server, {
        values: { 'SMTP.Port': String(other.port) },
      }).expect(400);

      const tests = captured.auditEvents.filter(
        e => e.eventId === 'connection-test',
      );
      expect(tests.map(e => e.status)).toEqual([
        'initiated',
        'succeeded',
        'initiated',
        'failed',
      ]);
      expect(tests[1]).toMatchObject({ actor: ADMIN, severityLevel: 'medium' });
      // Key names and what happened, never values: no test address, no password.
      expect(tests[1].meta).toEqual({
        tenantId: 'default',
        keys: [],
        testMessageRequested: true,
        host: '127.0.0.1',
        port: saved.port,
        outcome: 'success',
        messageSent: true,
      });
      expect(tests[3]).toMatchObject({
        actor: ADMIN,
        error: expect.stringContaining('SMTP.Password must be entered again'),
      });
      // A refused test names the server it asked for: that is what matters
      // when someone probes with the settings.
      expect(tests[3].meta).toEqual({
        tenantId: 'default',
        keys: ['SMTP.Port'],
        testMessageRequested: false,
        host: '127.0.0.1',
        port: other.port,
      });
      expect(JSON.stringify(tests)).not.toContain('admin@tenant.example');
    });
  },
);
