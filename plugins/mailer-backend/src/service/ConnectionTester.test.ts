import { SettingsChange } from '@elixeum/plugin-mailer-common';
import {
  CertificateOptions,
  createSelfSignedCertificate,
  SmtpTestServer,
  SmtpTestServerOptions,
} from '@internal/smtp-test-server';
import { createServer, Server } from 'node:net';
import { AddressInfo } from 'node:net';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { testTenantSettings } from '../__testUtils__/testTenantSettings';
import { OutboxReports } from '../database/OutboxReports';
import { OutboxTestMessages } from '../database/OutboxTestMessages';
import { policyResolver } from '../security/policyResolver';
import { SmtpServerSettings } from '../smtp/SmtpServerSettings';
import { ConnectionTester, ConnectionTesterOptions } from './ConnectionTester';

const databases = createTestDatabases();
const certificate = createSelfSignedCertificate();
const PASSWORD = 'Pa55-word-for-tests';
const USER = 'mailer@tenant.example';
const TENANT = 'default';

const servers: Array<{ close(): unknown }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(s => s.close()));
});

async function smtpServer(options: SmtpTestServerOptions = {}) {
  const server = await SmtpTestServer.start({
    users: { [USER]: PASSWORD },
    certificate,
    requireTlsForAuth: true,
    ...options,
  });
  servers.push(server);
  return server;
}

async function setup(
  trusted: string[] = [certificate.cert],
  options: Partial<ConnectionTesterOptions> = {},
) {
  const { knex, settings, policy } = await testTenantSettings(databases);
  const tester = new ConnectionTester(settings, trusted, 500, {
    resolve: policyResolver(policy),
    testMessages: new OutboxTestMessages(knex),
    ...options,
  });
  return { settings, tester, knex };
}

function settingsFor(server: { host: string; port: number }): SettingsChange {
  return {
    'SMTP.Server': server.host,
    'SMTP.Port': String(server.port),
    'SMTP.Username': USER,
    'SMTP.Password': PASSWORD,
  };
}

describe('ConnectionTester', () => {
  it('connects, upgrades to TLS and logs in with the saved settings, sending nothing', async () => {
    const server = await smtpServer();
    const { settings, tester } = await setup();
    await settings.updateSettings(TENANT, settingsFor(server));

    const result = await tester.test(TENANT, {});

    expect(result).toEqual({
      outcome: 'success',
      message: `Connected to 127.0.0.1:${server.port} and logged in as ${USER}.`,
      messageSent: false,
      server: 'custom',
    });
    expect(server.authAttempts).toEqual([
      expect.objectContaining({ username: USER, password: PASSWORD }),
    ]);
    expect(server.messages).toHaveLength(0);
  });

  it('sends a test message to the address given', async () => {
    const server = await smtpServer();
    const { settings, tester } = await setup();
    await settings.updateSettings(TENANT, {
      ...settingsFor(server),
      'SMTP.From': 'portal@tenant.example',
    });

    const result = await tester.test(TENANT, {
      sendTo: 'admin@tenant.example',
    });

    expect(result).toMatchObject({ outcome: 'success', messageSent: true });
    const [message] = await server.waitForMessages(1);
    expect(message.envelope).toEqual({
      mailFrom: 'portal@tenant.example',
      rcptTo: ['admin@tenant.example'],
    });
    expect(message.parsed.subject).toBe('Test message from your portal');
  });

  it('tests the form being edited, with the stored password where the field is blank, and saves nothing', async () => {
    const server = await smtpServer();
    const { settings, tester } = await setup();
    await settings.updateSettings(TENANT, settingsFor(server));

    const result = await tester.test(TENANT, {
      values: { 'SMTP.From': 'portal@tenant.example', 'SMTP.Password': '' },
      sendTo: 'admin@tenant.example',
    });

    expect(result.outcome).toBe('success');
    expect(server.authAttempts[0].password).toBe(PASSWORD);
    const [message] = await server.waitForMessages(1);
    expect(message.envelope.mailFrom).toBe('portal@tenant.example');
    const saved = await settings.getSettings(TENANT);
    expect(saved.settings.find(s => s.key === 'SMTP.From')).toBeUndefined();
  });

  it('never takes the stored password to another server, and tests a new one with the password entered', async () => {
    const saved = await smtpServer();
    const other = await smtpServer({
      users: { [USER]: 'the-other-password' },
    });
    const { settings, tester } = await setup();
    await settings.updateSettings(TENANT, settingsFor(saved));

    await expect(
      tester.test(TENANT, { values: { 'SMTP.Port': String(other.port) } }),
    ).rejects.toThrow(
      'SMTP.Password must be entered again for the new server (SMTP.Port changed)',
    );
    expect(other.authAttempts).toEqual([]);
    expect(other.connections.opened).toBe(0);

    const result = await tester.test(TENANT, {
      values: {
        'SMTP.Port': String(other.port),
        'SMTP.Password': 'the-other-password',
      },
    });
    expect(result.outcome).toBe('success');
    expect(other.authAttempts.map(a => a.password)).toEqual([
      'the-other-password',
    ]);
  });

  it('refuses incomplete settings when it knows no default mailbox, invalid settings and a bad test address', async () => {
    const { settings, tester } = await setup();
    await expect(tester.test(TENANT, {})).rejects.toThrow(
      'Cannot test the SMTP server: SMTP.Server, SMTP.Port, SMTP.Username, SMTP.Password not set',
    );
    await settings.updateSettings(
      TENANT,
      settingsFor({ host: '127.0.0.1', port: 25 }),
    );
    await expect(
      tester.test(TENANT, { values: { 'SMTP.Port': '70000' } }),
    ).rejects.toThrow('SMTP.Port must be a whole number from 1 to 65535');
    await expect(
      tester.test(TENANT, { sendTo: 'not an address' }),
    ).rejects.toThrow('sendTo');
  });

  it.each([
    [
      'auth',
      535,
      '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.',
      'authentication-failed',
      'Set-CASMailbox',
    ],
    [
      'auth',
      535,
      '5.7.3 Authentication unsuccessful',
      'authentication-failed',
      'app password',
    ],
    [
      'auth',
      550,
      '5.7.30 Basic authentication is not supported for Client Submission',
      'authentication-failed',
      'SMTP.AuthMethod xoauth2',
    ],
    [
      'auth',
      535,
      '5.7.8 Username and Password not accepted',
      'authentication-failed',
      'Gmail needs an app password',
    ],
    [
      'mailFrom',
      530,
      '5.7.57 Client not authenticated to send mail',
      'authentication-failed',
      'SMTP AUTH is enabled',
    ],
    [
      'mailFrom',
      550,
      '5.7.60 SMTP; Client does not have permissions to send as this sender',
      'sender-refused',
      'Send As',
    ],
    [
      'data',
      554,
      '5.2.252 SendAsDenied; mailer@tenant.example not allowed to send as portal@tenant.example',
      'sender-refused',
      'Send As',
    ],
    [
      'rcptTo',
      550,
      '5.1.1 User unknown',
      'recipient-refused',
      'Check the address',
    ],
    [
      'connect',
      432,
      '4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded',
      'server-busy',
      'concurrent connections',
    ],
    [
      'connect',
      421,
      '4.7.0 Too many connections, try again later',
      'server-busy',
      'Wait a minute',
    ],
  ] as const)(
    'classifies a %s reply of %i %s as %s',
    async (stage, code, text, outcome, advice) => {
      const server = await smtpServer({
        replies: { [stage]: () => ({ code, message: `${text} ${PASSWORD}` }) },
      });
      const { settings, tester } = await setup();
      await settings.updateSettings(TENANT, settingsFor(server));

      const result = await tester.test(TENANT, {
        sendTo: 'admin@tenant.example',
      });

      expect(result.outcome).toBe(outcome);
      expect(result.advice).toContain(advice);
      expect(result.reply?.responseCode).toBe(code);
      expect(result.reply?.response).toContain(text);
      expect(result.messageSent).toBe(false);
      // The server echoed the password; the result must not.
      expect(JSON.stringify(result)).not.toContain(PASSWORD);
      expect(JSON.stringify(result)).toContain('[redacted]');
    },
  );

  it('classifies a host name that does not resolve', async () => {
    const { settings, tester } = await setup();
    await settings.updateSettings(
      TENANT,
      settingsFor({ host: 'smtp.does-not-exist.invalid', port: 587 }),
    );
    const result = await tester.test(TENANT, {});
    expect(result).toMatchObject({
      outcome: 'dns-failure',
      message:
        'The server name smtp.does-not-exist.invalid could not be found.',
    });
  });

  it('classifies a port where nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise(resolve => closed.close(resolve));
    const { settings, tester } = await setup();
    await settings.updateSettings(
      TENANT,
      settingsFor({ host: '127.0.0.1', port }),
    );
    expect(await tester.test(TENANT, {})).toMatchObject({
      outcome: 'connection-refused',
      advice: expect.stringContaining('SMTP.Port'),
    });
  });

  it('classifies a server that never answers', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
    servers.push({
      close: () => new Promise(resolve => silent.close(resolve)),
    });
    const { settings, tester } = await setup();
    await settings.updateSettings(
      TENANT,
      settingsFor({
        host: '127.0.0.1',
        port: (silent.address() as AddressInfo).port,
      }),
    );
    const result = await tester.test(TENANT, {});
    expect(result.outcome).toBe('timeout');
  });

  it.each([
    [
      'an untrusted (self-signed) certificate',
      {},
      [],
      'untrusted-certificate',
      'mailer.tls.extraCaCertificates',
    ],
    [
      'a certificate for another name',
      { names: ['smtp.elsewhere.example'], ips: [] },
      'trusted',
      'name-mismatch',
      'name on the certificate',
    ],
    [
      'an expired certificate',
      { expired: true },
      'trusted',
      'expired-certificate',
      'renew',
    ],
  ] as const)(
    'says why TLS failed for %s, and what to do',
    async (_case, certificateOptions, trust, problem, advice) => {
      const serverCertificate = createSelfSignedCertificate(
        certificateOptions as CertificateOptions,
      );
      const server = await smtpServer({ certificate: serverCertificate });
      const { settings, tester } = await setup(
        trust === 'trusted' ? [serverCertificate.cert] : [],
      );
      await settings.updateSettings(TENANT, settingsFor(server));
      const result = await tester.test(TENANT, {});
      expect(result).toMatchObject({
        outcome: 'tls-failure',
        tlsProblem: problem,
        advice: expect.stringContaining(advice),
      });
      expect(server.authAttempts).toHaveLength(0);
    },
  );

  it('says when SMTP.Security does not fit the port (TLS spoken to a STARTTLS port)', async () => {
    const server = await smtpServer();
    const { settings, tester } = await setup();
    await settings.updateSettings(TENANT, {
      ...settingsFor(server),
      'SMTP.Security': 'tls',
    });
    expect(await tester.test(TENANT, {})).toMatchObject({
      outcome: 'tls-failure',
      tlsProblem: 'wrong-security-mode',
      advice: expect.stringContaining('starttls for 587'),
    });
  });

  it.each([
    ['an SSH banner', 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n'],
    [
      'an HTTP reply',
      'HTTP/1.1 400 Bad Request\r\nServer: internal-admin\r\n\r\n',
    ],
  ])(
    'never echoes what a port that is not SMTP says (%s)',
    async (_case, banner) => {
      const other: Server = createServer(socket => {
        socket.on('error', () => undefined);
        socket.write(banner);
      });
      await new Promise<void>(resolve => other.listen(0, '127.0.0.1', resolve));
      servers.push({
        close: () => new Promise(resolve => other.close(resolve)),
      });
      const port = (other.address() as AddressInfo).port;
      const { settings, tester } = await setup();
      await settings.updateSettings(
        TENANT,
        settingsFor({ host: '127.0.0.1', port }),
      );
      const result = await tester.test(TENANT, {});
      expect(result).toEqual({
        outcome: 'not-smtp',
        message: `The server at 127.0.0.1:${port} does not speak SMTP.`,
        advice: expect.stringContaining('SMTP.Port'),
        messageSent: false,
        server: 'custom',
      });
      expect(JSON.stringify(result)).not.toMatch(/OpenSSH|HTTP|internal-admin/);
    },
  );

  it('sends through a relay that needs no login (SMTP.AuthMethod none)', async () => {
    const relay = await smtpServer({ users: undefined });
    const { settings, tester } = await setup();
    await settings.updateSettings(TENANT, {
      'SMTP.Server': relay.host,
      'SMTP.Port': String(relay.port),
      'SMTP.AuthMethod': 'none',
    });
    expect((await settings.getStatus(TENANT)).server).toBe('custom');

    const result = await tester.test(TENANT, {
      sendTo: 'admin@tenant.example',
    });

    expect(result).toMatchObject({ outcome: 'success', messageSent: true });
    expect(relay.authAttempts).toHaveLength(0);
    expect(relay.messages[0].secure).toBe(true);
  });

  describe("a tenant's own certificate authority", () => {
    // The server's certificate is self-signed: the portal trusts nothing extra.
    const untrustedByPortal: string[] = [];

    it('rejects a self-signed server by default, with the tenant CA setting as the way out', async () => {
      const server = await smtpServer();
      const { settings, tester } = await setup(untrustedByPortal);
      await settings.updateSettings(TENANT, settingsFor(server));
      expect(await tester.test(TENANT, {})).toMatchObject({
        outcome: 'tls-failure',
        tlsProblem: 'untrusted-certificate',
        advice: expect.stringContaining('SMTP.TLS.CA'),
      });
      expect(server.authAttempts).toHaveLength(0);
    });

    it('accepts it with SMTP.TLS.CA, for that tenant only', async () => {
      const server = await smtpServer();
      const { settings, tester } = await setup(untrustedByPortal);
      await settings.updateSettings(TENANT, {
        ...settingsFor(server),
        'SMTP.TLS.CA': certificate.cert,
      });
      await settings.updateSettings('other-tenant', settingsFor(server));

      expect(await tester.test(TENANT, {})).toMatchObject({
        outcome: 'success',
      });
      expect(await tester.test('other-tenant', {})).toMatchObject({
        outcome: 'tls-failure',
        tlsProblem: 'untrusted-certificate',
      });
      expect(server.authAttempts).toHaveLength(1);
    });

    it('accepts it with verification switched off', async () => {
      const server = await smtpServer();
      const { settings, tester } = await setup(untrustedByPortal);
      await settings.updateSettings(TENANT, {
        ...settingsFor(server),
        'SMTP.TLS.RejectUnauthorized': 'false',
      });
      expect(await tester.test(TENANT, {})).toMatchObject({
        outcome: 'success',
      });
    });

    it('refuses a CA bundle that does not parse, or a certificate that is not an authority, naming the key', async () => {
      const { settings } = await setup(untrustedByPortal);
      const garbled = certificate.cert.replace(/[A-Za-z]{30}/, 'A'.repeat(30));
      await expect(
        settings.updateSettings(TENANT, { 'SMTP.TLS.CA': garbled }),
      ).rejects.toThrow(
        /SMTP\.TLS\.CA holds a certificate that cannot be read/,
      );
      const leaf = createSelfSignedCertificate({ authority: false });
      await expect(
        settings.updateSettings(TENANT, { 'SMTP.TLS.CA': leaf.cert }),
      ).rejects.toThrow(
        /SMTP\.TLS\.CA holds a certificate that is not a certificate authority/,
      );
      expect((await settings.getSettings(TENANT)).settings).toEqual([]);
    });
  });

  describe('the default mailbox, while the settings are incomplete', () => {
    const DEFAULT_USER = 'portal@operator.example';
    const DEFAULT_PASSWORD = 'operator-password';
    const DEFAULT_FROM = 'no-reply@elixeum.cloud';

    async function defaultMailbox(options: SmtpTestServerOptions = {}) {
      const server = await smtpServer({
        users: { [DEFAULT_USER]: DEFAULT_PASSWORD },
        ...options,
      });
      const defaultServer: SmtpServerSettings = {
        host: server.host,
        port: server.port,
        security: 'starttls',
        auth: { kind: 'password', user: DEFAULT_USER, pass: DEFAULT_PASSWORD },
        from: DEFAULT_FROM,
      };
      return { server, defaultServer };
    }

    /** A resolver for tenant servers that refuses every name: the default mailbox must not use it. */
    const refuseTenantServers = async () => {
      throw new Error('tenant servers are resolved by the policy only');
    };

    it('sends the test message through the default mailbox, says so and why, and records it for the delivery view', async () => {
      const { server, defaultServer } = await defaultMailbox();
      const own = await smtpServer();
      const { settings, tester, knex } = await setup([certificate.cert], {
        // The tenant server policy is not the default mailbox's.
        resolve: refuseTenantServers,
        defaultServer,
      });
      await settings.updateSettings(TENANT, {
        'SMTP.Server': own.host,
        'SMTP.Port': String(own.port),
      });

      const result = await tester.test(
        TENANT,
        { sendTo: 'admin@tenant.example' },
        { actor: 'user:default/ada' },
      );

      expect(result).toEqual({
        outcome: 'success',
        server: 'default',
        messageSent: true,
        message:
          "The portal's default mailbox accepted a test message to admin@tenant.example: your settings are incomplete (SMTP.Username, SMTP.Password not set), so your mail goes through the portal's default mailbox.",
      });
      const [message] = await server.waitForMessages(1);
      expect(message.envelope).toEqual({
        mailFrom: DEFAULT_FROM,
        rcptTo: ['admin@tenant.example'],
      });
      expect(message.parsed.text).toContain("the portal's default mailbox");
      expect(message.parsed.text).not.toContain(String(server.port));
      expect(server.authAttempts).toEqual([
        expect.objectContaining({ username: DEFAULT_USER }),
      ]);
      expect(own.connections.opened).toBe(0);
      const summary = await new OutboxReports(knex).summary(TENANT);
      expect(summary.campaigns).toEqual([
        expect.objectContaining({
          kind: 'test',
          subject: 'Test message from your portal',
          createdBy: 'user:default/ada',
          counts: expect.objectContaining({ sent: 1, failed: 0 }),
        }),
      ]);
      // Without a test address it only logs in.
      expect(await tester.test(TENANT, {})).toMatchObject({
        outcome: 'success',
        server: 'default',
        messageSent: false,
        message: expect.stringContaining(
          "Connected to the portal's default mailbox",
        ),
      });
    });

    it('tests the form as it would be saved: a value removed makes it the default mailbox', async () => {
      const { server, defaultServer } = await defaultMailbox();
      const own = await smtpServer();
      const { settings, tester } = await setup([certificate.cert], {
        defaultServer,
      });
      await settings.updateSettings(TENANT, settingsFor(own));

      expect(
        await tester.test(TENANT, { values: { 'SMTP.Password': null } }),
      ).toMatchObject({ outcome: 'success', server: 'default' });
      expect(server.authAttempts).toHaveLength(1);
      expect(own.connections.opened).toBe(0);
      expect(await tester.test(TENANT, {})).toMatchObject({
        outcome: 'success',
        server: 'custom',
      });
    });

    it('still refuses a stored password aimed at another server, before trying any server', async () => {
      const { server, defaultServer } = await defaultMailbox();
      const own = await smtpServer();
      const { settings, tester } = await setup([certificate.cert], {
        defaultServer,
      });
      await settings.updateSettings(TENANT, settingsFor(own));

      await expect(
        tester.test(TENANT, {
          values: { 'SMTP.Server': 'localhost', 'SMTP.Username': null },
        }),
      ).rejects.toThrow(/SMTP\.Password must be entered again/);
      expect(server.connections.opened).toBe(0);
      expect(own.connections.opened).toBe(0);
    });

    it('says that a failing default mailbox is for the operator to fix, and records the failed test email', async () => {
      const { server, defaultServer } = await defaultMailbox({
        replies: {
          rcptTo: () => ({ code: 550, message: '5.7.1 Relaying denied' }),
        },
      });
      const { tester, knex } = await setup([certificate.cert], {
        defaultServer,
      });

      const result = await tester.test(TENANT, {
        sendTo: 'admin@tenant.example',
      });

      expect(result).toMatchObject({
        outcome: 'recipient-refused',
        server: 'default',
        messageSent: false,
        reply: { responseCode: 550 },
        advice: expect.stringContaining('your portal operator'),
      });
      expect(result.advice).toContain('set SMTP.Server, SMTP.Port');
      expect(server.messages).toHaveLength(0);
      const summary = await new OutboxReports(knex).summary(TENANT);
      expect(summary.recentFailures).toEqual([
        expect.objectContaining({
          kind: 'test',
          recipients: ['admin@tenant.example'],
          reply: expect.objectContaining({
            responseCode: 550,
            response: expect.stringContaining('Relaying denied'),
          }),
        }),
      ]);
      expect(JSON.stringify(result)).not.toContain(DEFAULT_PASSWORD);
    });
  });
});
