import { ConnectionTestResult } from '@elixeum/plugin-mailer-common';
import {
  createSelfSignedCertificate,
  GraphReply,
  OAuthTestEndpoint,
  SmtpTestServer,
  tokenError,
} from '@internal/smtp-test-server';
import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { createTestDatabases } from './__testUtils__/testDatabases';

// What the connection test says when the token endpoint or the server
// refuses OAuth2, row by row, through a real token endpoint and a real
// XOAUTH2 server on loopback.

const databases = createTestDatabases();
const MAILBOX = 'mailer@tenant.example';
const certificate = createSelfSignedCertificate();
const app = {
  tenantId: 'contoso-tenant',
  clientId: 'app-client-id',
  clientSecret: 'the-client-Secret-value',
};
const delegated = {
  clientId: 'delegated-client',
  clientSecret: 'delegated-Client-secret',
  refreshToken: 'the-Refresh-token',
};
const account = 'mailer@project.iam.gserviceaccount.com';
const keyPair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const registered = keyPair();
const deleted = keyPair();

let endpoint: OAuthTestEndpoint;
let smtp: SmtpTestServer;
let server: Parameters<typeof request>[0];
/** What the token endpoint answers instead of a token, per row. */
let tokenReply: GraphReply | undefined;
/** Whether the SMTP server takes the tokens the endpoint issues. */
let acceptTokens = true;

beforeAll(async () => {
  endpoint = await OAuthTestEndpoint.start({
    certificate,
    microsoft: app,
    google: {
      email: account,
      publicKey: registered.publicKey,
      subjects: [MAILBOX],
    },
    refresh: delegated,
    tokenReply: () => tokenReply,
  });
  smtp = await SmtpTestServer.start({
    acceptAccessToken: (user, token) =>
      acceptTokens && user === MAILBOX && endpoint.isValid(token),
  });
});

// Backends stop after each test (see mailerTestBackend), so each row starts one.
beforeEach(async () => {
  const started = await startMailerTestBackend(databases, 'SQLITE_3', {
    defaultServer: { host: '127.0.0.1', port: 1 },
    extraCaCertificates: [certificate.cert],
    config: {
      oauth: {
        microsoft: { authority: endpoint.baseUrl },
        google: { tokenUrl: `${endpoint.baseUrl}/google/token` },
      },
    },
  });
  server = started.server;
});

afterAll(async () => {
  await smtp.close();
  await endpoint.close();
});

afterEach(() => {
  tokenReply = undefined;
  acceptTokens = true;
});

const smtpSettings = () => ({
  'SMTP.Server': smtp.host,
  'SMTP.Port': String(smtp.port),
  'SMTP.Security': 'none',
  'SMTP.Username': MAILBOX,
  'SMTP.AuthMethod': 'xoauth2',
});
const microsoft = (extra: Record<string, string> = {}) => ({
  ...smtpSettings(),
  'SMTP.OAuth.Provider': 'microsoft',
  'SMTP.OAuth.TenantId': app.tenantId,
  'SMTP.OAuth.ClientId': app.clientId,
  'SMTP.OAuth.ClientSecret': app.clientSecret,
  ...extra,
});
const google = (privateKey: string) => ({
  ...smtpSettings(),
  'SMTP.OAuth.Provider': 'google',
  'SMTP.OAuth.ServiceAccountEmail': account,
  'SMTP.OAuth.PrivateKey': privateKey,
});
const refreshToken = (token = delegated.refreshToken) => ({
  ...smtpSettings(),
  'SMTP.OAuth.Provider': 'refresh-token',
  'SMTP.OAuth.TokenUrl': `${endpoint.baseUrl}/refresh/token`,
  'SMTP.OAuth.ClientId': delegated.clientId,
  'SMTP.OAuth.ClientSecret': delegated.clientSecret,
  'SMTP.OAuth.RefreshToken': token,
});

async function connectionTest(
  values: Record<string, string>,
): Promise<ConnectionTestResult> {
  const response = await request(server)
    .post('/api/mailer/connection-test')
    .send({ values })
    .expect(200);
  return response.body;
}

describe('OAuth2 failures in the connection test', () => {
  it.each<{
    title: string;
    values: () => Record<string, string>;
    reply?: GraphReply;
    message: RegExp;
    advice: RegExp;
    notAdvice?: RegExp;
  }>([
    {
      title: 'an application the tenant does not know (AADSTS700016)',
      values: () => microsoft({ 'SMTP.OAuth.ClientId': 'unknown-app' }),
      message: /AADSTS700016/,
      advice: /SMTP\.OAuth\.ClientId/,
    },
    {
      title: 'missing admin consent (AADSTS65001)',
      values: () => microsoft(),
      reply: tokenError(
        400,
        'invalid_grant',
        "AADSTS65001: The user or administrator has not consented to use the application with ID 'app-client-id'.",
      ),
      message: /not consented.*AADSTS65001/,
      advice: /Grant admin consent.*SMTP\.SendAsApp/,
    },
    {
      title: 'an unknown tenant (AADSTS90002)',
      values: () => microsoft({ 'SMTP.OAuth.TenantId': 'no-such-tenant' }),
      message: /AADSTS90002/,
      advice: /SMTP\.OAuth\.TenantId/,
    },
    {
      title: 'a disabled application (AADSTS7000112)',
      values: () => microsoft(),
      reply: tokenError(
        400,
        'unauthorized_client',
        "AADSTS7000112: Application 'app-client-id'(Mailer) is disabled.",
      ),
      message: /disabled.*AADSTS7000112/,
      advice: /Enterprise applications.*Enabled for users to sign in/,
      notAdvice: /consent|delegation/i,
    },
    {
      title: 'a revoked or expired refresh token (invalid_grant)',
      values: () => refreshToken('a-Revoked-token'),
      message: /refresh token was revoked or has expired/,
      advice: /SMTP\.OAuth\.RefreshToken/,
    },
    {
      title:
        "a Google assertion Google cannot accept (invalid_grant: the key's signature)",
      values: () => google(deleted.privateKey),
      message: /Google refused the service account's signed request/,
      advice: /clock.*SMTP\.Username.*key/,
      notAdvice: /refresh token/i,
    },
    {
      title:
        'a refresh-token client the endpoint does not allow (unauthorized_client)',
      values: () => refreshToken(),
      reply: tokenError(
        400,
        'unauthorized_client',
        'The client is not authorized to request a token using this method.',
      ),
      message: /does not let this client use a refresh token/,
      advice: /SMTP\.OAuth\.TokenUrl/,
      notAdvice: /Google|delegation/,
    },
  ])(
    'explains $title',
    // `(?!)` matches nothing: rows without a wrong advice to rule out.
    async ({ values, reply, message, advice, notAdvice = /(?!)/ }) => {
      tokenReply = reply;
      const result = await connectionTest(values());
      expect(result.outcome).toBe('token-failure');
      expect(result.message).toMatch(message);
      expect(result.advice).toMatch(advice);
      expect(result.advice).not.toMatch(notAdvice);
      expect(JSON.stringify(result)).not.toContain(app.clientSecret);
    },
  );

  it.each([
    [
      'an app-only token',
      () => microsoft(),
      /New-ServicePrincipal.*Add-MailboxPermission/,
    ],
    ['a delegated token', () => refreshToken(), /SMTP\.Send.*offline_access/],
  ])(
    'explains 535 5.7.3 for %s, after one more try with a new token',
    async (_what, values, advice) => {
      acceptTokens = false;
      const before = smtp.authAttempts.length;
      const result = await connectionTest(values());
      expect(result.outcome).toBe('authentication-failed');
      expect(result.message).toContain('535 5.7.3');
      expect(result.advice).toMatch(advice);
      const tokens = smtp.authAttempts.slice(before).map(a => a.accessToken);
      expect(tokens).toHaveLength(2);
      expect(tokens[0]).not.toBe(tokens[1]);
    },
  );
});
