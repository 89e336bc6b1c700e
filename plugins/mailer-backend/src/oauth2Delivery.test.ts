import { ConnectionTestResult } from '@elixeum/plugin-mailer-common';
import {
  createSelfSignedCertificate,
  OAuthTestEndpoint,
  OAuthTestEndpointOptions,
  SmtpTestServer,
} from '@internal/smtp-test-server';
import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import {
  readStoredSecret,
  startMailerTestBackend,
} from './__testUtils__/mailerTestBackend';
import { eventually } from './__testUtils__/outboxHarness';
import { saveSettings } from './__testUtils__/saveSettings';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { waitForPause } from './__testUtils__/waitForPause';

// OAuth2 end to end on loopback: a token endpoint that issues short-lived
// tokens, an SMTP server that accepts only the tokens it issued, and the
// mailer between them. Nothing reaches the internet.

const databases = createTestDatabases();
const MAILBOX = 'mailer@tenant.example';
const SMTP_SCOPE = 'https://outlook.office365.com/.default';
const MICROSOFT_REFRESH_SCOPE =
  'https://outlook.office.com/SMTP.Send offline_access';
const microsoftApp = {
  tenantId: 'contoso-tenant',
  clientId: 'app-client-id',
  clientSecret: 'the-client-Secret-value',
};

let endpoint: OAuthTestEndpoint;
let smtp: SmtpTestServer;

async function startServers(options: OAuthTestEndpointOptions) {
  endpoint = await OAuthTestEndpoint.start(options);
  smtp = await SmtpTestServer.start({
    acceptAccessToken: (user, token) =>
      user === MAILBOX && endpoint.isValid(token),
  });
}

afterEach(async () => {
  await smtp?.close();
  await endpoint?.close();
});

async function startMailer(extra: { delivery?: object; config?: object } = {}) {
  const consumer = createConsumerPlugin();
  const started = await startMailerTestBackend(databases, 'SQLITE_3', {
    defaultServer: { host: '127.0.0.1', port: 1 },
    features: [consumer.plugin],
    extraCaCertificates: endpoint.options.certificate
      ? [endpoint.options.certificate.cert]
      : [],
    delivery: extra.delivery as any,
    config: {
      oauth: {
        microsoft: { authority: endpoint.baseUrl },
        google: { tokenUrl: `${endpoint.baseUrl}/google/token` },
      },
      graph: { baseUrl: endpoint.baseUrl },
      ...extra.config,
    } as any,
  });
  return { ...started, mailer: consumer.mailer() };
}

const microsoftSettings = () => ({
  'SMTP.Server': smtp.host,
  'SMTP.Port': String(smtp.port),
  'SMTP.Security': 'none',
  'SMTP.Username': MAILBOX,
  'SMTP.AuthMethod': 'xoauth2',
  'SMTP.OAuth.Provider': 'microsoft',
  'SMTP.OAuth.TenantId': microsoftApp.tenantId,
  'SMTP.OAuth.ClientId': microsoftApp.clientId,
  'SMTP.OAuth.ClientSecret': microsoftApp.clientSecret,
});

function connectionTest(
  server: Parameters<typeof request>[0],
  values?: Record<string, string | null>,
) {
  return request(server)
    .post('/api/mailer/connection-test')
    .send(values ? { values } : {})
    .expect(200)
    .then(r => r.body as ConnectionTestResult);
}

async function sendMany(
  mailer: ReturnType<
    typeof createConsumerPlugin
  >['mailer'] extends () => infer M
    ? M
    : never,
  count: number,
  tag: string,
) {
  for (let i = 0; i < count; i++) {
    await mailer.send({
      to: `${tag}${i}@example.com`,
      subject: `${tag} ${i}`,
      text: 'Hello',
    });
  }
}

describe('OAuth2 (XOAUTH2) with Microsoft client credentials', () => {
  it('renews the token across its expiry with one request per renewal for five pooled connections', async () => {
    await startServers({ microsoft: microsoftApp, tokenLifetimeSeconds: 2 });
    const { server, mailer } = await startMailer({
      // Connections close when idle, so the second round logs in again.
      delivery: { maxConnections: 5, idlePoolTimeout: '300ms' },
    });
    await saveSettings(server, microsoftSettings());

    await sendMany(mailer, 25, 'first');
    await smtp.waitForMessages(25);
    const loginsBefore = smtp.authAttempts.length;
    expect(loginsBefore).toBeGreaterThanOrEqual(2);
    expect(endpoint.tokenRequests).toHaveLength(1);

    // Past the first token's life: every new login needs a new token.
    const [first] = endpoint.issued;
    await eventually(
      () => !endpoint.isValid(first.token),
      10_000,
      'the first token to expire',
    );
    await sendMany(mailer, 25, 'second');
    await smtp.waitForMessages(50);

    expect(endpoint.tokenRequests).toHaveLength(2);
    expect(endpoint.tokenRequests[0].form).toMatchObject({
      grant_type: 'client_credentials',
      client_id: microsoftApp.clientId,
      scope: SMTP_SCOPE,
    });
    const tokensUsed = new Set(smtp.authAttempts.map(a => a.accessToken));
    expect(tokensUsed).toEqual(new Set(endpoint.issued.map(t => t.token)));
    expect(smtp.authAttempts.every(a => a.method === 'XOAUTH2')).toBe(true);
    expect(smtp.authAttempts.length).toBeGreaterThan(loginsBefore);
    expect(smtp.messages.every(m => m.authenticatedUser === MAILBOX)).toBe(
      true,
    );
  });

  it.each([
    ['at once with 535, as Exchange Online does', false],
    ['with a 334 challenge, then 535, as Gmail does', true],
  ])(
    'gets a new token when the server refuses one that has not expired (%s)',
    async (_how, xoauth2Challenge) => {
      endpoint = await OAuthTestEndpoint.start({ microsoft: microsoftApp });
      // E.g. admin consent granted after the first token was issued.
      smtp = await SmtpTestServer.start({
        xoauth2Challenge,
        acceptAccessToken: (user, token) =>
          user === MAILBOX &&
          endpoint.isValid(token) &&
          token !== endpoint.issued[0].token,
      });
      const { server, mailer } = await startMailer();
      await saveSettings(server, microsoftSettings());

      await mailer.send({ to: 'a@example.com', subject: 'Hi', text: 'x' });
      await smtp.waitForMessages(1);

      expect(endpoint.tokenRequests).toHaveLength(2);
      const [refused, renewed] = endpoint.issued.map(t => t.token);
      expect(smtp.authAttempts.map(a => a.accessToken)).toEqual([
        refused,
        renewed,
      ]);
      expect(smtp.messages[0].authenticatedUser).toBe(MAILBOX);
    },
  );

  it('explains a wrong client secret in the connection test, without the secret', async () => {
    await startServers({ microsoft: microsoftApp });
    const { server } = await startMailer();
    const result = await connectionTest(server, {
      ...microsoftSettings(),
      'SMTP.OAuth.ClientSecret': 'a-Wrong-secret-value',
    });
    expect(result.outcome).toBe('token-failure');
    expect(result.message).toContain('AADSTS7000215');
    expect(result.advice).toContain('SMTP.OAuth.ClientSecret');
    expect(JSON.stringify(result)).not.toContain('a-Wrong-secret-value');
    expect(smtp.authAttempts).toHaveLength(0);
  });

  it('pauses the tenant while the token endpoint is down and resumes when it is back', async () => {
    await startServers({ microsoft: microsoftApp });
    const { server, mailer, knex } = await startMailer();
    await saveSettings(server, microsoftSettings());
    endpoint.available = false;

    const { id } = await mailer.send({
      to: 'a@example.com',
      subject: 'Reset',
      text: 'x',
    });
    const summary = await waitForPause(server);
    expect(summary.pause?.reason).toMatch(/token endpoint/i);
    expect(summary.pause?.advice).toMatch(/must reach the token endpoint/);
    // The message waits for the endpoint, its attempts not counted: not failed.
    await eventually(
      async () =>
        (await knex('mailer_outbox').where({ id }).first()).state === 'waiting',
      10_000,
      'the message to be given back',
    );
    expect(await knex('mailer_outbox').where({ id }).first()).toMatchObject({
      state: 'waiting',
      attempts: 0,
    });
    expect(await mailer.getStatus(id)).toMatchObject({ state: 'retrying' });

    endpoint.available = true;
    await smtp.waitForMessages(1, 15_000);
    expect(smtp.messages[0].envelope.rcptTo).toEqual(['a@example.com']);
  });
});

describe('OAuth2 with a Google service account', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const account = 'mailer@project.iam.gserviceaccount.com';
  const googleSettings = () => ({
    'SMTP.Server': smtp.host,
    'SMTP.Port': String(smtp.port),
    'SMTP.Security': 'none',
    'SMTP.Username': MAILBOX,
    'SMTP.AuthMethod': 'xoauth2',
    'SMTP.OAuth.Provider': 'google',
    'SMTP.OAuth.ServiceAccountEmail': account,
    'SMTP.OAuth.PrivateKey': privateKey,
  });

  it('signs an assertion for the mailbox that the endpoint verifies with the public key', async () => {
    await startServers({
      google: { email: account, publicKey, subjects: [MAILBOX] },
    });
    const { server, mailer } = await startMailer();
    await saveSettings(server, googleSettings());
    await mailer.send({ to: 'b@example.com', subject: 'Hi', text: 'x' });
    await smtp.waitForMessages(1);
    expect(endpoint.issued).toEqual([
      expect.objectContaining({
        grant: 'jwt-bearer',
        subject: MAILBOX,
        scope: 'https://mail.google.com/',
      }),
    ]);
    expect(smtp.authAttempts[0]).toMatchObject({
      method: 'XOAUTH2',
      username: MAILBOX,
      accessToken: endpoint.issued[0].token,
    });
  });

  it('explains missing domain-wide delegation', async () => {
    await startServers({
      google: { email: account, publicKey, subjects: ['someone@else.example'] },
    });
    const { server } = await startMailer();
    const result = await connectionTest(server, googleSettings());
    expect(result.outcome).toBe('token-failure');
    expect(result.advice).toMatch(/domain-wide delegation/i);
  });

  it('refuses a private key that cannot be read, naming the key', async () => {
    await startServers({});
    const { server } = await startMailer();
    const broken = privateKey.replace(/[A-Za-z]{20}/, 'AAAAAAAAAAAAAAAAAAAA');
    const response = await request(server)
      .put('/api/mailer/settings')
      .send({
        values: { ...googleSettings(), 'SMTP.OAuth.PrivateKey': broken },
      })
      .expect(400);
    expect(response.body.error.message).toContain('SMTP.OAuth.PrivateKey');
    expect(JSON.stringify(response.body)).not.toContain(broken.slice(40, 80));
  });
});

describe('OAuth2 with a refresh token', () => {
  const certificate = createSelfSignedCertificate();
  const client = {
    clientId: 'delegated-client',
    clientSecret: 'delegated-Client-secret',
  };

  it('stores the rotated refresh token, encrypted, and uses it for the next token', async () => {
    await startServers({
      certificate,
      tokenLifetimeSeconds: 1,
      refresh: { ...client, refreshToken: 'first-Refresh-token', rotate: true },
    });
    const { server, mailer, knex } = await startMailer({
      delivery: { idlePoolTimeout: '200ms' },
    });
    await saveSettings(server, {
      'SMTP.Server': smtp.host,
      'SMTP.Port': String(smtp.port),
      'SMTP.Security': 'none',
      'SMTP.Username': MAILBOX,
      'SMTP.AuthMethod': 'xoauth2',
      'SMTP.OAuth.Provider': 'refresh-token',
      'SMTP.OAuth.TokenUrl': `${endpoint.baseUrl}/refresh/token`,
      'SMTP.OAuth.ClientId': client.clientId,
      'SMTP.OAuth.ClientSecret': client.clientSecret,
      'SMTP.OAuth.RefreshToken': 'first-Refresh-token',
    });

    await mailer.send({ to: 'c@example.com', subject: 'One', text: 'x' });
    await smtp.waitForMessages(1);
    const rotated = endpoint.refreshToken!;
    expect(rotated).not.toBe('first-Refresh-token');
    await eventually(
      async () =>
        (await readStoredSecret(knex, 'default', 'SMTP.OAuth.RefreshToken')) ===
        rotated,
      5_000,
      'the rotated refresh token to be stored',
    );
    const raw = await knex('mailer_settings')
      .where({ setting_key: 'SMTP.OAuth.RefreshToken' })
      .first();
    expect(raw.value).not.toContain(rotated);

    // The first token has expired; the old refresh token would now be refused.
    const [firstToken] = endpoint.issued;
    await eventually(
      () => !endpoint.isValid(firstToken.token),
      10_000,
      'the first token to expire',
    );
    await mailer.send({ to: 'd@example.com', subject: 'Two', text: 'x' });
    await smtp.waitForMessages(2);
    expect(endpoint.tokenRequests.map(r => r.form.refresh_token)).toEqual([
      'first-Refresh-token',
      rotated,
    ]);
  });

  const refreshSettings = (tokenUrl: string, refreshToken: string) => ({
    'SMTP.Server': smtp.host,
    'SMTP.Port': String(smtp.port),
    'SMTP.Security': 'none',
    'SMTP.Username': MAILBOX,
    'SMTP.AuthMethod': 'xoauth2',
    'SMTP.OAuth.Provider': 'refresh-token',
    'SMTP.OAuth.TokenUrl': tokenUrl,
    'SMTP.OAuth.ClientId': client.clientId,
    'SMTP.OAuth.ClientSecret': client.clientSecret,
    'SMTP.OAuth.RefreshToken': refreshToken,
  });

  it('keeps the saved refresh token when a connection test of unsaved values rotates another', async () => {
    endpoint = await OAuthTestEndpoint.start({
      certificate,
      refresh: {
        ...client,
        refreshToken: 'saved-Refresh-token',
        otherGrants: ['unsaved-Refresh-token'],
        rotate: true,
      },
    });
    // Another token URL, where the same client holds another grant.
    const elsewhere = await OAuthTestEndpoint.start({
      certificate,
      refresh: {
        ...client,
        refreshToken: 'elsewhere-Refresh-token',
        rotate: true,
      },
    });
    smtp = await SmtpTestServer.start({
      acceptAccessToken: (user, token) =>
        user === MAILBOX &&
        (endpoint.isValid(token) || elsewhere.isValid(token)),
    });
    try {
      const { server, mailer, knex } = await startMailer();
      const savedUrl = `${endpoint.baseUrl}/refresh/token`;
      await saveSettings(
        server,
        refreshSettings(savedUrl, 'saved-Refresh-token'),
      );
      const rows = () =>
        knex('mailer_settings').select().orderBy('setting_key');
      const before = await rows();

      const sameUrl = await connectionTest(server, {
        'SMTP.OAuth.RefreshToken': 'unsaved-Refresh-token',
      });
      expect(sameUrl.outcome).toBe('success');
      const otherUrl = await connectionTest(server, {
        'SMTP.OAuth.TokenUrl': `${elsewhere.baseUrl}/refresh/token`,
        'SMTP.OAuth.ClientSecret': client.clientSecret,
        'SMTP.OAuth.RefreshToken': 'elsewhere-Refresh-token',
      });
      expect(otherUrl.outcome).toBe('success');
      // Both endpoints rotated what they were given; nothing of it was stored.
      expect(endpoint.options.refresh!.otherGrants![0]).not.toBe(
        'unsaved-Refresh-token',
      );
      expect(elsewhere.refreshToken).not.toBe('elsewhere-Refresh-token');
      expect(await rows()).toEqual(before);
      // (A rotation stored late would show below: delivery would send it
      // instead of the saved token.)

      // Delivery exchanges the saved token for a token of its own, and keeps the rotation.
      await mailer.send({ to: 'c@example.com', subject: 'One', text: 'x' });
      await smtp.waitForMessages(1);
      const exchanged = endpoint.tokenRequests.at(-1)!;
      expect(exchanged.form.refresh_token).toBe('saved-Refresh-token');
      expect(smtp.authAttempts.at(-1)!.accessToken).toBe(
        endpoint.issued.at(-1)!.token,
      );
      const rotated = endpoint.refreshToken!;
      await eventually(
        async () =>
          (await readStoredSecret(
            knex,
            'default',
            'SMTP.OAuth.RefreshToken',
          )) === rotated,
        5_000,
        'the rotation of the saved token to be stored',
      );
      const stored = await rows();
      expect(
        stored.find(r => r.setting_key === 'SMTP.OAuth.TokenUrl').value,
      ).toBe(savedUrl);
    } finally {
      await elsewhere.close();
    }
  });

  it.each([
    ['under the Microsoft authority', 'loopback', MICROSOFT_REFRESH_SCOPE],
    ['elsewhere (Google)', 'https://login.microsoftonline.com', undefined],
  ])(
    'asks for a scope when refreshing a token %s',
    async (_where, authority, scope) => {
      await startServers({
        certificate,
        refresh: {
          ...client,
          refreshToken: 'a-Refresh-token',
          ...(scope && {
            requireScope: 'https://outlook.office.com/SMTP.Send',
          }),
        },
      });
      const { server } = await startMailer({
        config: {
          oauth: {
            microsoft: {
              authority:
                authority === 'loopback' ? endpoint.baseUrl : authority,
            },
          },
        },
      });
      const result = await connectionTest(
        server,
        refreshSettings(`${endpoint.baseUrl}/refresh/token`, 'a-Refresh-token'),
      );
      expect(result.outcome).toBe('success');
      expect(endpoint.tokenRequests).toHaveLength(1);
      expect(endpoint.tokenRequests[0].form.scope).toBe(scope);
    },
  );

  it('refuses a token URL on a private address under the default server policy', async () => {
    await startServers({ certificate });
    const { server } = await startMailer({
      config: { serverPolicy: { allowedHosts: [] } },
    });
    const response = await request(server)
      .put('/api/mailer/settings')
      .send({
        values: {
          'SMTP.Username': MAILBOX,
          'SMTP.AuthMethod': 'xoauth2',
          'SMTP.OAuth.Provider': 'refresh-token',
          'SMTP.OAuth.TokenUrl': 'https://169.254.169.254/token',
        },
      });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('SMTP.OAuth.TokenUrl');
    const stored = await request(server).get('/api/mailer/settings');
    expect(stored.body.settings).toEqual([]);
  });
});
