import { ConnectionTestResult } from '@elixeum/plugin-mailer-common';
import { SmtpTestServer } from '@internal/smtp-test-server';
import request from 'supertest';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { saveSettings } from './__testUtils__/saveSettings';
import { createTestDatabases } from './__testUtils__/testDatabases';

// Every other echo test uses a long password, so a redaction that skipped
// short secrets (as the leak check once did) would pass them all. Tenants do
// have short passwords: one a server quotes back must not reach the
// connection test's reply or a log line (the leak check after each test
// reads the logs). Delivery shows no server text for a refused login.

const databases = createTestDatabases();
const USER = 'portal@tenant.example';
/** Five characters: shorter than the leak check's whole-word threshold. */
const SHORT_PASSWORD = 'Pw7$x';

let smtp: SmtpTestServer;
beforeAll(async () => {
  smtp = await SmtpTestServer.start({
    users: { [USER]: SHORT_PASSWORD },
    replies: {
      auth: attempt => ({
        code: 535,
        message: `5.7.8 Authentication failed for ${attempt.username} with ${attempt.password}`,
      }),
    },
  });
});
afterAll(() => smtp.close());

async function start() {
  const { server } = await startMailerTestBackend(databases, 'SQLITE_3', {
    defaultServer: { host: smtp.host, port: 1 },
  });
  await saveSettings(server, {
    'SMTP.Server': smtp.host,
    'SMTP.Port': String(smtp.port),
    'SMTP.Security': 'none',
    'SMTP.Username': USER,
    'SMTP.Password': SHORT_PASSWORD,
  });
  return server;
}

describe('a short password the server quotes back', () => {
  it('is redacted in the connection test and its logs', async () => {
    const server = await start();
    const response = await request(server)
      .post('/api/mailer/connection-test')
      .send({})
      .expect(200);
    const result = response.body as ConnectionTestResult;
    expect(result.outcome).toBe('authentication-failed');
    expect(result.reply?.responseCode).toBe(535);
    expect(smtp.authAttempts.map(a => a.password)).toContain(SHORT_PASSWORD);
    expect(JSON.stringify(result)).not.toContain(SHORT_PASSWORD);
    expect(JSON.stringify(result)).toContain('[redacted]');
  });
});
