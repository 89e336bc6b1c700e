import {
  createSelfSignedCertificate,
  SmtpTestServer,
} from '@internal/smtp-test-server';
import {
  DEADLINE_MARGIN_MS,
  DripServer,
  startDripHttpServer,
  startDripSmtpServer,
  timed,
} from '../__testUtils__/dripServers';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { testTenantSettings } from '../__testUtils__/testTenantSettings';
import { OAuthTokens } from '../oauth/OAuthTokens';
import { policyResolver } from '../security/policyResolver';
import { ConnectionTester } from './ConnectionTester';

// The connection test as a whole has a deadline: each step's own time limit
// (10 s, as in production here) restarts with every byte, so a server that
// drips its replies would otherwise hold the person waiting for minutes.

const databases = createTestDatabases();
const certificate = createSelfSignedCertificate();
const TENANT = 'default';
const USER = 'mailer@tenant.example';
const DEADLINE_MS = 1500;
const STEP_TIMEOUT_MS = 10_000;

const servers: Array<{ close(): unknown }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(s => s.close()));
});

async function setup(tokens?: OAuthTokens) {
  const { settings, policy } = await testTenantSettings(databases);
  const tester = new ConnectionTester(
    settings,
    [certificate.cert],
    STEP_TIMEOUT_MS,
    {
      resolve: policyResolver(policy),
      deadlineMs: DEADLINE_MS,
      ...(tokens && { tokens }),
    },
  );
  return { settings, tester };
}

async function drip(start: () => Promise<DripServer>) {
  const server = await start();
  servers.push(server);
  return server;
}

describe('the connection test', () => {
  it.each(['greeting', 'ehlo'] as const)(
    'gives up at its deadline on a server that drips its %s one byte at a time',
    async part => {
      const server = await drip(() => startDripSmtpServer(part));
      const { settings, tester } = await setup();
      await settings.updateSettings(TENANT, {
        'SMTP.Server': server.host,
        'SMTP.Port': String(server.port),
        'SMTP.Username': USER,
        'SMTP.Password': 'Pa55-word-for-tests',
      });

      const { ms, value } = await timed(() => tester.test(TENANT, {}));

      expect(value).toMatchObject({
        outcome: 'timeout',
        message: `The server at ${server.host}:${server.port} did not answer in time.`,
      });
      expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
      expect(ms).toBeLessThan(DEADLINE_MS + DEADLINE_MARGIN_MS);
    },
  );

  it('gives up at its deadline on a token endpoint that drips its answer, however long the token request may take', async () => {
    const endpoint = await drip(() => startDripHttpServer('body'));
    const smtp = await SmtpTestServer.start({
      acceptAccessToken: () => true,
    });
    servers.push(smtp);
    const { settings, tester } = await setup(
      new OAuthTokens({
        microsoftAuthority: endpoint.url,
        googleTokenUrl: `${endpoint.url}/google/token`,
        extraCaCertificates: [],
        timeoutMs: 60_000,
      }),
    );
    await settings.updateSettings(TENANT, {
      'SMTP.Server': smtp.host,
      'SMTP.Port': String(smtp.port),
      'SMTP.Security': 'none',
      'SMTP.Username': USER,
      'SMTP.AuthMethod': 'xoauth2',
      'SMTP.OAuth.Provider': 'microsoft',
      'SMTP.OAuth.TenantId': 'contoso-tenant',
      'SMTP.OAuth.ClientId': 'app-client-id',
      'SMTP.OAuth.ClientSecret': 'the-client-Secret-value',
    });

    const { ms, value } = await timed(() => tester.test(TENANT, {}));

    expect(value).toMatchObject({ outcome: 'timeout' });
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(ms).toBeLessThan(DEADLINE_MS + DEADLINE_MARGIN_MS);
    expect(endpoint.connections).toBe(1);
  });
});
