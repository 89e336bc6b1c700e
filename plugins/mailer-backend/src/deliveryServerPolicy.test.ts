import { SmtpTestServer } from '@internal/smtp-test-server';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { eventually } from './__testUtils__/outboxHarness';
import { saveSettings } from './__testUtils__/saveSettings';
import { TestDnsAnswer } from './__testUtils__/testDns';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { waitForPause } from './__testUtils__/waitForPause';

// The server policy and the TLS rule where they matter most: when mail goes
// out, with names whose DNS answers the test controls. Every other test
// allows 127.0.0.1, so only these would notice a delivery path that skips
// the policy, resolves a name twice, or sends a password in the clear.

const databases = createTestDatabases();
jest.setTimeout(60_000);

const USER = 'mailer@tenant.example';
const PASSWORD = 'tenant-Password-on-the-wire';

const closing: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map(s => s.close()));
});
async function smtpServer(
  options: Parameters<typeof SmtpTestServer.start>[0] = {},
) {
  const server = await SmtpTestServer.start(options);
  closing.push(server);
  return server;
}

/**
 * Two SMTP servers on one port, on 127.0.0.2 and 127.0.0.1. The port is
 * picked on 127.0.0.2; something else (another test file's backend, on every
 * interface) may hold it on 127.0.0.1, so a few ports are tried.
 */
async function serversOnOnePort() {
  for (let tries = 1; ; tries++) {
    const internal = await smtpServer({ host: '127.0.0.2' });
    try {
      const allowed = await smtpServer({ port: internal.port });
      return { internal, allowed };
    } catch (error) {
      await internal.close();
      if ((error as { code?: string }).code !== 'EADDRINUSE' || tries === 10) {
        throw error;
      }
    }
  }
}

describe.each(databases.eachSupportedId())(
  'the server policy and TLS at delivery time, on %s',
  databaseId => {
    async function start(options: {
      defaultServer: { host: string; port: number; extra?: object };
      serverPolicy?: object;
      dns: TestDnsAnswer;
    }) {
      const consumer = createConsumerPlugin();
      const started = await startMailerTestBackend(databases, databaseId, {
        defaultServer: options.defaultServer as any,
        serverPolicy: options.serverPolicy,
        dns: options.dns,
        features: [consumer.plugin],
      });
      return { ...started, mailer: consumer.mailer() };
    }

    it('refuses, at delivery, a name that resolved to a public address when saved and resolves to loopback now: the tenant is paused with the reason, and nothing reaches the server', async () => {
      const smtp = await smtpServer();
      const defaultServer = await smtpServer();
      // DNS rebinding: public while the settings are checked, loopback later.
      let answer = '192.0.2.25';
      const { server, mailer, knex, dns } = await start({
        defaultServer: { host: defaultServer.host, port: defaultServer.port },
        // The default policy (no internal address), on the test server's port.
        serverPolicy: { allowedPorts: [smtp.port] },
        dns: host => (host === 'smtp.rebind.example' ? answer : undefined),
      });
      await saveSettings(server, {
        'SMTP.Server': 'smtp.rebind.example',
        'SMTP.Port': smtp.port,
        'SMTP.Security': 'none',
        'SMTP.AuthMethod': 'none',
      });
      expect(dns!.lookups.map(l => l.address)).toContain('192.0.2.25');

      answer = '127.0.0.1';
      const { id } = await mailer.send({
        to: 'ada@example.com',
        subject: 'Rebound',
        text: 'x',
      });
      const summary = await waitForPause(server);
      expect(summary.pause).toMatchObject({
        server: 'custom',
        reason: expect.stringContaining(
          'SMTP.Server smtp.rebind.example resolves to a private address',
        ),
        advice: expect.stringContaining('mailer.serverPolicy'),
        reply: { code: 'EPOLICY' },
      });
      // It never says where the name pointed.
      expect(JSON.stringify(summary)).not.toContain('127.0.0.1');
      // The message waits for the tenant to fix its settings; it is not failed.
      await eventually(
        async () =>
          (await knex('mailer_outbox').where({ id }).first()).state ===
          'waiting',
        10_000,
        'the message to be given back',
      );
      expect(await mailer.getStatus(id)).toMatchObject({
        state: 'retrying',
        attempts: 0,
        lastReply: expect.objectContaining({ code: 'EPOLICY' }),
      });
      // Not even a connection: the policy refused before connecting.
      expect(smtp.connections.opened).toBe(0);
      expect(defaultServer.connections.opened).toBe(0);
    });

    it('connects to the very address the policy checked, never resolving the name again', async () => {
      // An internal server that a second lookup would answer with, and the
      // server the name is allowed to reach, on the same port.
      const { internal, allowed } = await serversOnOnePort();
      const { server, mailer, dns } = await start({
        defaultServer: { host: allowed.host, port: 1 },
        serverPolicy: { allowedHosts: [{ host: '127.0.0.1', ports: 'any' }] },
        // The policy asks through dns/promises; Node's own lookup for a
        // socket opened by name (dns.lookup) gets the internal address, as
        // a rebinding DNS would answer a second question.
        dns: (host, api) => {
          if (host !== 'smtp.pinned.example') return undefined;
          return api === 'promises' ? '127.0.0.1' : '127.0.0.2';
        },
      });
      await saveSettings(server, {
        'SMTP.Server': 'smtp.pinned.example',
        'SMTP.Port': allowed.port,
        'SMTP.Security': 'none',
        'SMTP.AuthMethod': 'none',
      });

      const { id } = await mailer.send({
        to: 'ada@example.com',
        subject: 'Pinned',
        text: 'x',
      });
      await expect(
        mailer.waitForDelivery(id, { timeoutMs: 20_000 }),
      ).resolves.toMatchObject({ state: 'sent' });
      expect(allowed.messages).toHaveLength(1);
      expect(internal.connections.opened).toBe(0);
      // One question per connection, asked by the policy, and none by Node.
      const asked = dns!.lookups.filter(l => l.host === 'smtp.pinned.example');
      expect(asked.length).toBeGreaterThan(0);
      expect(asked.filter(l => l.api !== 'promises')).toEqual([]);
    });

    it('never sends a tenant password to a server reached by name without TLS, and the pause says why', async () => {
      const smtp = await smtpServer({ users: { [USER]: PASSWORD } });
      const { server, mailer } = await start({
        defaultServer: { host: smtp.host, port: 1 },
        serverPolicy: { allowedHosts: [{ host: '127.0.0.1', ports: 'any' }] },
        // Allowed by the policy, but a name: the password could leave the
        // machine, so it needs TLS.
        dns: host => (host === 'smtp.plain.example' ? '127.0.0.1' : undefined),
      });
      await saveSettings(server, {
        'SMTP.Server': 'smtp.plain.example',
        'SMTP.Port': smtp.port,
        'SMTP.Security': 'none',
        'SMTP.Username': USER,
        'SMTP.Password': PASSWORD,
      });

      const { id } = await mailer.send({
        to: 'ada@example.com',
        subject: 'Plain',
        text: 'x',
      });
      const summary = await waitForPause(server);
      expect(summary.pause).toMatchObject({
        server: 'custom',
        reason: expect.stringContaining(
          'is not encrypted (SMTP.Security none), so the password was not sent',
        ),
        advice: expect.stringContaining('SMTP.Security starttls'),
        reply: { code: 'EINSECURE' },
      });
      expect(await mailer.getStatus(id)).toMatchObject({
        state: 'retrying',
        attempts: 0,
      });
      // The server was reached (the connection is how we know it has no
      // TLS), but no login was tried and nothing was sent.
      expect(smtp.connections.opened).toBeGreaterThan(0);
      expect(smtp.authAttempts).toEqual([]);
      expect(smtp.messages).toEqual([]);
    });

    it("lets the operator's default mailbox log in without TLS, even by name (its config is the operator's own)", async () => {
      const smtp = await smtpServer({ users: { [USER]: PASSWORD } });
      const { mailer } = await start({
        defaultServer: {
          host: 'smtp.operator.example',
          port: smtp.port,
          extra: { auth: { user: USER, pass: PASSWORD } },
        },
        dns: host =>
          host === 'smtp.operator.example' ? '127.0.0.1' : undefined,
      });
      const { id } = await mailer.send({
        to: 'ada@example.com',
        subject: 'Default',
        text: 'x',
      });
      await expect(
        mailer.waitForDelivery(id, { timeoutMs: 20_000 }),
      ).resolves.toMatchObject({ state: 'sent' });
      expect(smtp.authAttempts.map(a => a.password)).toEqual([PASSWORD]);
      expect(smtp.messages[0].secure).toBe(false);
    });
  },
);
