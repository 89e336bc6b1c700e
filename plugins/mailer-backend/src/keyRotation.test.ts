import { mockCredentials } from '@backstage/backend-test-utils';
import { OAuthTestEndpoint, SmtpTestServer } from '@internal/smtp-test-server';
import { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import {
  createConsumerPlugin,
  tenantFromCallerModule,
} from './__testUtils__/consumerPlugin';
import {
  captured,
  startMailerTestBackend,
  testEncryptionKey,
} from './__testUtils__/mailerTestBackend';
import { eventually, saveTenantSettings } from './__testUtils__/outboxHarness';
import { createTestDatabases } from './__testUtils__/testDatabases';

// Key rotation an operator can finish: put a new key first, restart, let the
// task move every secret onto it, remove the old key; every tenant still sends.

const databases = createTestDatabases();
jest.setTimeout(90_000);

const KEY_A = { id: 'test-1', secret: testEncryptionKey };
const KEY_B = { id: '2027-01', secret: randomBytes(32).toString('base64') };
const KEY_GONE = { id: 'retired', secret: randomBytes(32).toString('base64') };

/** Tenants that log in with a password, each with its own. */
const PASSWORD_TENANTS = ['alpha', 'beta', 'gamma'];
const userOf = (tenant: string) => `mailer@${tenant}.example`;
const passwordOf = (tenant: string) =>
  `${tenant}-Password-${KEY_B.secret.slice(0, 8)}`;
/** A tenant that logs in with OAuth2 (Microsoft client credentials). */
const OAUTH_TENANT = 'delta';
const microsoftApp = {
  tenantId: 'delta-directory',
  clientId: 'delta-app',
  clientSecret: `delta-Client-Secret-${randomBytes(6).toString('hex')}`,
};

let smtp: SmtpTestServer;
let endpoint: OAuthTestEndpoint;
beforeEach(async () => {
  endpoint = await OAuthTestEndpoint.start({ microsoft: microsoftApp });
  smtp = await SmtpTestServer.start({
    users: Object.fromEntries(
      PASSWORD_TENANTS.map(t => [userOf(t), passwordOf(t)]),
    ),
    acceptAccessToken: (user, token) =>
      user === userOf(OAUTH_TENANT) && endpoint.isValid(token),
  });
});
afterEach(async () => {
  await smtp.close();
  await endpoint.close();
});

function settingsOf(tenant: string): Record<string, string> {
  const server = {
    'SMTP.Server': smtp.host,
    'SMTP.Port': String(smtp.port),
    'SMTP.Security': 'none',
    'SMTP.Username': userOf(tenant),
  };
  if (tenant !== OAUTH_TENANT) {
    return { ...server, 'SMTP.Password': passwordOf(tenant) };
  }
  return {
    ...server,
    'SMTP.AuthMethod': 'xoauth2',
    'SMTP.OAuth.Provider': 'microsoft',
    'SMTP.OAuth.TenantId': microsoftApp.tenantId,
    'SMTP.OAuth.ClientId': microsoftApp.clientId,
    'SMTP.OAuth.ClientSecret': microsoftApp.clientSecret,
  };
}

/** Every way a secret could sit in a column: as text, base64, base64url or hex. */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [
    secret,
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('hex'),
  ];
}

describe.each(databases.eachSupportedId())(
  'encryption key rotation on %s',
  databaseId => {
    let knex: Knex | undefined;
    beforeEach(() => {
      knex = undefined;
    });

    /** Starts (or restarts, on the same database) a backend with these keys, first one encrypting. */
    async function start(keys: Array<typeof KEY_A>) {
      const consumer = createConsumerPlugin();
      const started = await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: '127.0.0.1', port: 1 },
        knex,
        features: [consumer.plugin, tenantFromCallerModule],
        config: {
          encryption: { keys },
          oauth: { microsoft: { authority: endpoint.baseUrl } },
        },
      });
      knex = started.knex;
      return { ...started, mailer: consumer.mailer() };
    }

    const secretRows = () =>
      knex!('mailer_settings')
        .whereNotNull('encryption_key_id')
        .orderBy(['tenant_id', 'setting_key'])
        .select('tenant_id', 'setting_key', 'encryption_key_id');

    const statusOf = (server: any, tenant: string) =>
      request(server)
        .get('/api/mailer/status')
        .set(
          'Authorization',
          mockCredentials.user.header(`user:default/${tenant}`),
        )
        .expect(200)
        .then(r => r.body);

    it('re-encrypts every secret with the new key, after which the old key can go and every tenant still sends', async () => {
      const first = await start([KEY_A]);
      for (const tenant of [...PASSWORD_TENANTS, OAUTH_TENANT]) {
        await saveTenantSettings(first.server, tenant, settingsOf(tenant));
      }
      expect(await secretRows()).toEqual(
        [
          ...PASSWORD_TENANTS.map(t => ({
            tenant_id: t,
            setting_key: 'SMTP.Password',
            encryption_key_id: KEY_A.id,
          })),
          {
            tenant_id: OAUTH_TENANT,
            setting_key: 'SMTP.OAuth.ClientSecret',
            encryption_key_id: KEY_A.id,
          },
        ].sort((x, y) => x.tenant_id.localeCompare(y.tenant_id)),
      );
      await first.backend.stop();

      // The new key first, the old one still there: the task runs soon after start.
      captured.logLines.length = 0;
      const second = await start([KEY_B, KEY_A]);
      await eventually(
        async () =>
          (await secretRows()).every(r => r.encryption_key_id === KEY_B.id),
        20_000,
        'every secret to be under the new key',
      );
      await eventually(
        () =>
          captured.logLines.some(line =>
            line.startsWith(
              `info No secrets left under encryption key "${KEY_A.id}": it can be removed from mailer.encryption.keys`,
            ),
          ),
        10_000,
        'the log to say the old key is free',
      );
      expect(captured.logLines).toContainEqual(
        expect.stringContaining(
          `info Re-encrypted 4 stored secrets with encryption key "${KEY_B.id}"`,
        ),
      );
      expect(await secretRows()).toHaveLength(4);
      await second.backend.stop();

      // Only the new key: everything still reads.
      const third = await start([KEY_B]);
      for (const tenant of [...PASSWORD_TENANTS, OAUTH_TENANT]) {
        expect(await statusOf(third.server, tenant)).toEqual({
          server: 'custom',
          missingKeys: [],
          sender: userOf(tenant),
        });
        await third.mailer.send(
          {
            to: `ops@${tenant}.example`,
            subject: `After rotation`,
            text: tenant,
          },
          { tenantId: tenant },
        );
      }
      const messages = await smtp.waitForMessages(4, 20_000);
      const byTenant = new Map(messages.map(m => [m.parsed.text?.trim(), m]));
      for (const tenant of [...PASSWORD_TENANTS, OAUTH_TENANT]) {
        expect(byTenant.get(tenant)).toMatchObject({
          authenticatedUser: userOf(tenant),
          envelope: {
            mailFrom: userOf(tenant),
            rcptTo: [`ops@${tenant}.example`],
          },
        });
      }
      // The logins, with the passwords decrypted by the new key.
      for (const tenant of PASSWORD_TENANTS) {
        expect(smtp.authAttempts).toContainEqual(
          expect.objectContaining({
            username: userOf(tenant),
            password: passwordOf(tenant),
          }),
        );
      }
      expect(smtp.authAttempts).toContainEqual(
        expect.objectContaining({
          method: 'XOAUTH2',
          username: userOf(OAUTH_TENANT),
        }),
      );
      // And the client secret, decrypted by the new key, reached the token endpoint.
      expect(endpoint.tokenRequests.map(r => r.form.client_secret)).toContain(
        microsoftApp.clientSecret,
      );

      // No plaintext at rest, in any encoding, anywhere in the table.
      const raw = JSON.stringify(await knex!('mailer_settings').select());
      for (const secret of [
        ...PASSWORD_TENANTS.map(passwordOf),
        microsoftApp.clientSecret,
      ]) {
        for (const encoded of encodings(secret)) {
          expect(raw).not.toContain(encoded);
        }
      }
    });

    it('a secret under a key that is gone fails that tenant only: its mail waits, its status names the key, the others send', async () => {
      // A key the operator removed too early: the tenant saved under it.
      const early = await start([KEY_GONE]);
      await saveTenantSettings(early.server, 'alpha', settingsOf('alpha'));
      await early.backend.stop();

      captured.logLines.length = 0;
      const { server, mailer } = await start([KEY_B]);
      await saveTenantSettings(server, 'beta', settingsOf('beta'));
      expect(captured.logLines).toContainEqual(
        expect.stringContaining(
          `warn 1 stored secrets are under encryption key "${KEY_GONE.id}", which is not in mailer.encryption.keys`,
        ),
      );

      expect(await statusOf(server, 'alpha')).toMatchObject({
        server: 'custom',
        secretsWithMissingKey: [{ key: 'SMTP.Password', keyId: KEY_GONE.id }],
      });
      expect(await statusOf(server, 'beta')).not.toHaveProperty(
        'secretsWithMissingKey',
      );

      await mailer.send(
        { to: 'ops@alpha.example', subject: 'Waits', text: 'alpha' },
        { tenantId: 'alpha' },
      );
      await mailer.send(
        { to: 'ops@beta.example', subject: 'Goes', text: 'beta' },
        { tenantId: 'beta' },
      );
      const [sent] = await smtp.waitForMessages(1, 10_000);
      expect(sent.envelope.mailFrom).toBe(userOf('beta'));

      let summary: any;
      await eventually(
        async () => {
          summary = (
            await request(server)
              .get('/api/mailer/delivery-summary')
              .set(
                'Authorization',
                mockCredentials.user.header('user:default/alpha'),
              )
              .expect(200)
          ).body;
          return summary.pause !== undefined;
        },
        10_000,
        "alpha's mail to be paused",
      );
      expect(summary.pause.reason).toContain(
        `key "${KEY_GONE.id}", which is not in mailer.encryption.keys: ask your portal operator`,
      );
      expect(smtp.messages).toHaveLength(1);
      // The backend is fine: beta keeps sending.
      await mailer.send(
        { to: 'ops@beta.example', subject: 'Again', text: 'beta' },
        { tenantId: 'beta' },
      );
      await smtp.waitForMessages(2, 10_000);
    });
  },
);
