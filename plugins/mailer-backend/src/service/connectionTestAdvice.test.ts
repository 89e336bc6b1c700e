import {
  ConnectionTestResult,
  SettingsChange,
} from '@elixeum/plugin-mailer-common';
import {
  createSelfSignedCertificate,
  HostileReply,
  HostileSmtpServer,
  SmtpTestServer,
  SmtpTestServerOptions,
} from '@internal/smtp-test-server';
import { AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import {
  serverPolicyOf,
  testTenantSettings,
} from '../__testUtils__/testTenantSettings';
import { installTestDns, TestDns } from '../__testUtils__/testDns';
import { policyResolver } from '../security/policyResolver';
import { ConnectionTester, ConnectionTesterOptions } from './ConnectionTester';

// What a tenant admin reads after a failed connection test, for the
// failures ConnectionTester.test.ts does not already cover, each against a
// real server: what happened, what to do, and never a stack trace or the
// password.

const databases = createTestDatabases();
const certificate = createSelfSignedCertificate();
const PASSWORD = 'Advice-pa55word-for-tests';
const USER = 'mailer@tenant.example';
const TENANT = 'default';

const closers: Array<() => unknown> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map(close => close()));
});

async function smtpServer(options: SmtpTestServerOptions = {}) {
  const server = await SmtpTestServer.start({
    users: { [USER]: PASSWORD },
    ...options,
  });
  closers.push(() => server.close());
  return server;
}

async function hostileServer(reply: HostileReply) {
  const server = await HostileSmtpServer.start(reply);
  closers.push(() => server.close());
  return server;
}

async function setup(
  options: Partial<ConnectionTesterOptions> & {
    /** The policy connections are made under; the policy settings are checked with by default. */
    connectPolicy?: object;
  } = {},
) {
  const { connectPolicy, ...testerOptions } = options;
  const { settings, policy } = await testTenantSettings(databases);
  const tester = new ConnectionTester(settings, [certificate.cert], 2000, {
    resolve: policyResolver(
      connectPolicy ? serverPolicyOf(connectPolicy) : policy,
    ),
    ...testerOptions,
  });
  return {
    test: async (change: SettingsChange) => {
      await settings.updateSettings(TENANT, change);
      return tester.test(TENANT, {});
    },
  };
}

function login(
  server: { host: string; port: number },
  more: SettingsChange = {},
): SettingsChange {
  return {
    'SMTP.Server': server.host,
    'SMTP.Port': String(server.port),
    'SMTP.Username': USER,
    'SMTP.Password': PASSWORD,
    ...more,
  };
}

/** What the card shows is for a person: no stack frames, no password. */
function expectForAPerson(result: ConnectionTestResult) {
  const shown = JSON.stringify(result);
  expect(shown).not.toContain(PASSWORD);
  expect(shown).not.toMatch(/\bat \S+ \(|\.ts:\d+|node:internal/);
}

describe('the connection test says what to do', () => {
  describe('with a server that does not offer STARTTLS while SMTP.Security is starttls', () => {
    const waysOut = [
      'set SMTP.Security to tls and SMTP.Port to that port',
      'Only on a network you trust, set SMTP.Security to none',
      "unless the server is on the portal's own machine (localhost, 127.x.x.x, ::1) or the portal operator allows it in mailer.allowInsecureAuth",
    ];

    it('names it when the server does not announce STARTTLS and refuses the command (a mail catcher)', async () => {
      // smtp-server without a certificate: no STARTTLS in EHLO, "500 Error: command not recognized" to it.
      const server = await smtpServer();
      const { test } = await setup();

      const result = await test(login(server, { 'SMTP.Security': 'starttls' }));

      expect(result).toEqual({
        outcome: 'tls-failure',
        message: `The server at 127.0.0.1:${server.port} does not offer STARTTLS.`,
        advice: expect.any(String),
        reply: {
          responseCode: 500,
          response: expect.stringContaining('command not recognized'),
        },
        messageSent: false,
        server: 'custom',
      });
      for (const way of waysOut) expect(result.advice).toContain(way);
      expect(result.advice).not.toContain('certificate');
      expect(server.authAttempts).toHaveLength(0);
      expectForAPerson(result);
    });

    it('names it when SMTP.Security is not set on a port other than 465 (starttls is the default)', async () => {
      const server = await smtpServer();
      const { test } = await setup();
      const result = await test(login(server));
      expect(result.message).toBe(
        `The server at 127.0.0.1:${server.port} does not offer STARTTLS.`,
      );
    });

    it('names it when the server announces STARTTLS but answers it with 502', async () => {
      const server = await hostileServer(stage =>
        stage === 'ehlo'
          ? '250-hostile.test\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n'
          : undefined,
      );
      const { test } = await setup();
      const result = await test(login(server));
      expect(result).toMatchObject({
        outcome: 'tls-failure',
        message: `The server at 127.0.0.1:${server.port} does not offer STARTTLS.`,
        reply: { responseCode: 502 },
      });
      expect(result.tlsProblem).toBeUndefined();
      expectForAPerson(result);
    });

    it('names it when the server does not take EHLO, where STARTTLS is announced', async () => {
      const server = await hostileServer(stage =>
        stage === 'ehlo' ? '500 5.5.1 Command unrecognized\r\n' : undefined,
      );
      const { test } = await setup();
      const result = await test(login(server));
      expect(result).toMatchObject({
        outcome: 'tls-failure',
        message: `The server at 127.0.0.1:${server.port} does not offer STARTTLS.`,
        advice: expect.stringContaining('SMTP.Security to none'),
      });
      expectForAPerson(result);
    });

    it('keeps the certificate advice when STARTTLS is offered but the certificate fails', async () => {
      const untrusted = createSelfSignedCertificate();
      const server = await smtpServer({ certificate: untrusted });
      const { test } = await setup();
      const result = await test(login(server));
      expect(result).toMatchObject({
        outcome: 'tls-failure',
        tlsProblem: 'untrusted-certificate',
        advice: expect.stringContaining('SMTP.TLS.CA'),
      });
      expect(result.message).not.toContain('STARTTLS');
    });

    it('works with the first way out on loopback: SMTP.Security none, and the password is sent', async () => {
      const server = await smtpServer();
      const { test } = await setup();
      const result = await test(login(server, { 'SMTP.Security': 'none' }));
      expect(result.outcome).toBe('success');
      expect(server.authAttempts).toEqual([
        expect.objectContaining({ username: USER, password: PASSWORD }),
      ]);
    });
  });

  describe('with SMTP.Security none, a password and a server that is not on this machine', () => {
    let dns: TestDns;
    beforeEach(() => {
      // A name, so the server is not on loopback as far as the password rule sees it.
      dns = installTestDns(host =>
        host === 'smtp.tenant.test' ? '127.0.0.1' : undefined,
      );
    });
    afterEach(() => dns.restore());

    it('does not send the password and says how to connect securely', async () => {
      const server = await smtpServer();
      const { test } = await setup();
      const result = await test(
        login(
          { host: 'smtp.tenant.test', port: server.port },
          { 'SMTP.Security': 'none' },
        ),
      );
      expect(result).toEqual({
        outcome: 'tls-failure',
        message: `The connection to smtp.tenant.test:${server.port} is not encrypted (SMTP.Security none), so the password was not sent.`,
        advice: expect.stringContaining(
          'Use SMTP.Security starttls (port 587) or tls (port 465).',
        ),
        messageSent: false,
        server: 'custom',
      });
      expect(result.advice).toContain('mailer.allowInsecureAuth');
      expect(result.advice).toContain('SMTP.AuthMethod none');
      expect(server.connections.opened).toBe(1);
      expect(server.authAttempts).toHaveLength(0);
      expectForAPerson(result);
    });

    it('sends it where the operator allows it (mailer.allowInsecureAuth), as the advice says', async () => {
      const server = await smtpServer();
      const { test } = await setup({ allowInsecureAuth: true });
      const result = await test(
        login(
          { host: 'smtp.tenant.test', port: server.port },
          { 'SMTP.Security': 'none' },
        ),
      );
      expect(result.outcome).toBe('success');
      expect(server.authAttempts).toHaveLength(1);
    });
  });

  it('says the server policy refused the server when it is checked again on connecting', async () => {
    const server = await smtpServer();
    // Allowed when the settings were checked; the policy connections are made under refuses loopback.
    const { test } = await setup({ connectPolicy: {} });
    const result = await test(login(server, { 'SMTP.Security': 'none' }));
    expect(result).toEqual({
      outcome: 'not-allowed',
      message: expect.stringContaining(
        'SMTP.Server 127.0.0.1 is a loopback address',
      ),
      advice: expect.stringContaining('mailer.serverPolicy'),
      messageSent: false,
      server: 'custom',
    });
    expect(server.connections.opened).toBe(0);
    expectForAPerson(result);
  });

  it('says when the server offers only an outdated TLS version', async () => {
    // Node refuses to go below TLS 1.2 as a client; a server capped at 1.1 fails the handshake.
    const old = createTlsServer({
      ...certificate,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    old.on('tlsClientError', () => undefined);
    await new Promise<void>(resolve => old.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise(resolve => old.close(resolve)));
    const port = (old.address() as AddressInfo).port;
    const { test } = await setup();
    const result = await test(
      login({ host: '127.0.0.1', port }, { 'SMTP.Security': 'tls' }),
    );
    expect(result).toMatchObject({
      outcome: 'tls-failure',
      tlsProblem: 'old-protocol',
      message: `127.0.0.1:${port} offers only an outdated TLS version.`,
      advice: expect.stringContaining('TLS 1.2 or newer'),
    });
    expectForAPerson(result);
  });

  it('says that a server turned the portal away at its greeting, without the password it echoed', async () => {
    const server = await hostileServer(stage =>
      stage === 'greeting'
        ? `554 5.3.2 No service for ${USER} ${PASSWORD}\r\n`
        : undefined,
    );
    const { test } = await setup();
    const result = await test(login(server, { 'SMTP.Security': 'none' }));
    expect(result).toEqual({
      outcome: 'connection-refused',
      message: `The server at 127.0.0.1:${server.port} turned the connection away when it answered (554).`,
      advice: expect.stringContaining("allow the portal's address"),
      reply: {
        responseCode: 554,
        response: `554 5.3.2 No service for ${USER} [redacted]`,
      },
      messageSent: false,
      server: 'custom',
    });
    expectForAPerson(result);
  });
});
