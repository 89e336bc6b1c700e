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
const login = {
  'SMTP.Username': 'mailer@tenant.example',
  'SMTP.Password': 'a-Tenant-password-9',
};

let smtp: SmtpTestServer;
beforeEach(async () => {
  smtp = await SmtpTestServer.start();
});
afterEach(() => smtp.close());

describe.each(databases.eachSupportedId())(
  'the server policy in the settings, on %s',
  databaseId => {
    async function start(serverPolicy: object = {}) {
      const consumer = createConsumerPlugin();
      const started = await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: smtp.host, port: smtp.port },
        serverPolicy,
        features: [consumer.plugin],
      });
      const storedRows = () => started.knex('mailer_settings').select();
      return { ...started, mailer: consumer.mailer(), storedRows };
    }

    it.each([
      ['10.0.0.5', 587, 'SMTP.Server 10.0.0.5 is a private address'],
      [
        '169.254.169.254',
        80,
        'SMTP.Server 169.254.169.254 is a link-local address',
      ],
      ['fd12::1', 25, 'SMTP.Server fd12::1 is a unique-local address'],
      ['localhost', 587, 'SMTP.Server localhost resolves to a private address'],
      ['smtp.example.com', 22, 'SMTP.Port 22 is not allowed'],
    ])(
      'refuses to save %s:%i with 400, storing nothing',
      async (host, port, message) => {
        const { server, storedRows } = await start();
        const response = await request(server)
          .put('/api/mailer/settings')
          .send({
            values: { 'SMTP.Server': host, 'SMTP.Port': port, ...login },
          })
          .expect(400);
        expect(response.body.error.name).toBe('InputError');
        expect(response.body.error.message).toContain(message);
        expect(response.body.error.message).not.toContain('127.0.0.1');
        expect(await storedRows()).toEqual([]);
      },
    );

    it('refuses a connection test of a loopback server before connecting', async () => {
      const { server } = await start();
      const response = await request(server)
        .post('/api/mailer/connection-test')
        .send({
          values: {
            'SMTP.Server': smtp.host,
            'SMTP.Port': String(smtp.port),
            'SMTP.Security': 'none',
            ...login,
          },
        })
        .expect(400);
      expect(response.body.error.message).toContain(
        'SMTP.Server 127.0.0.1 is a loopback address',
      );
      expect(smtp.connections.opened).toBe(0);
      // The audit record names what was probed.
      const refused = captured.auditEvents.find(
        e => e.eventId === 'connection-test' && e.status === 'failed',
      );
      expect(refused?.meta).toMatchObject({
        host: smtp.host,
        port: smtp.port,
      });
    });

    it('refuses a connection test on a port the policy does not allow, naming SMTP.Port for the card', async () => {
      const { server } = await start({
        allowedHosts: [{ host: '127.0.0.1', ports: [smtp.port] }],
      });
      const response = await request(server)
        .post('/api/mailer/connection-test')
        .send({
          values: {
            'SMTP.Server': smtp.host,
            'SMTP.Port': '587',
            'SMTP.Security': 'none',
            ...login,
          },
        })
        .expect(400);
      expect(response.body.error).toEqual({
        name: 'InputError',
        message: `SMTP.Port 587 is not allowed for tenant SMTP servers here. Allowed ports: ${smtp.port}.`,
        key: 'SMTP.Port',
      });
      expect(smtp.connections.opened).toBe(0);
    });

    it('does not hold the operator’s default mailbox to it', async () => {
      const { mailer } = await start();
      const { id } = await mailer.send({
        to: 'ada@example.com',
        subject: 'Welcome',
        text: 'Hello',
      });
      await expect(
        mailer.waitForDelivery(id, { timeoutMs: 10_000 }),
      ).resolves.toMatchObject({ state: 'sent' });
      expect(smtp.messages).toHaveLength(1);
    });

    it('lets the operator open an internal relay, on its own port', async () => {
      const { server } = await start({
        allowedHosts: [{ host: '127.0.0.1', ports: [smtp.port] }],
      });
      await saveSettings(server, {
        'SMTP.Server': smtp.host,
        'SMTP.Port': smtp.port,
        'SMTP.Security': 'none',
        ...login,
      });
      const tested = await request(server)
        .post('/api/mailer/connection-test')
        .send({})
        .expect(200);
      expect(tested.body.outcome).toBe('success');
      const otherPort = await request(server)
        .put('/api/mailer/settings')
        .send({ values: { 'SMTP.Port': 2525, ...login } })
        .expect(400);
      // The card marks the field the body's key names.
      expect(otherPort.body.error).toEqual({
        name: 'InputError',
        message: `SMTP.Port 2525 is not allowed for tenant SMTP servers here. Allowed ports: ${smtp.port}.`,
        key: 'SMTP.Port',
      });
    });
  },
);
