import {
  ConnectionTestResult,
  DeliverySummary,
} from '@elixeum/plugin-mailer-common';
import { SmtpReplyOverride, SmtpTestServer } from '@internal/smtp-test-server';
import request from 'supertest';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { eventually } from './__testUtils__/outboxHarness';
import { saveSettings } from './__testUtils__/saveSettings';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { waitForPause } from './__testUtils__/waitForPause';

const databases = createTestDatabases();
const PASSWORD = 'tenant-Refusals-7!';
/** How Gmail ends its replies, and Exchange Online. */
const GSMTP = 'd2e1a72fcca58-7f0a1b2c3d4e5f6a.12 - gsmtp';
const EXCHANGE =
  '[AM0PR10CA0001.EURPRD10.PROD.OUTLOOK.COM 2026-12-06T04:00:00.000Z]';

/** What each outcome's advice says, at least. */
const ADVICE: Record<string, string> = {
  'sender-not-authenticated': 'The sender check',
  'rate-limited': 'Lower SMTP.RateLimit',
  'tls-failure': 'SMTP.Security starttls',
  'authentication-failed': 'SMTP.AuthMethod xoauth2',
};

/** The stage and reply the tenant's server refuses with next; undefined: accept. */
let refuse: { stage: 'auth' | 'data'; reply: SmtpReplyOverride } | undefined;
let server: SmtpTestServer;

beforeAll(async () => {
  server = await SmtpTestServer.start({
    users: { 'portal@tenant.example': PASSWORD },
    replies: {
      auth: () => (refuse?.stage === 'auth' ? refuse.reply : undefined),
      data: () => (refuse?.stage === 'data' ? refuse.reply : undefined),
    },
  });
});
afterAll(() => server.close());
beforeEach(() => {
  refuse = undefined;
  server.reset();
});

const settings = () => ({
  'SMTP.Server': server.host,
  'SMTP.Port': String(server.port),
  'SMTP.Security': 'none',
  'SMTP.Username': 'portal@tenant.example',
  'SMTP.Password': PASSWORD,
});

async function start(databaseId: Parameters<typeof databases.init>[0]) {
  const consumer = createConsumerPlugin();
  const { server: backend } = await startMailerTestBackend(
    databases,
    databaseId,
    {
      defaultServer: { host: server.host, port: server.port },
      features: [consumer.plugin],
    },
  );
  await saveSettings(backend, settings());
  return { backend, mailer: consumer.mailer() };
}

describe('receivers refusing the sender, in the connection test', () => {
  it.each([
    [
      'data',
      550,
      `5.7.26 This mail has been blocked because the sender is unauthenticated. ${GSMTP}`,
      'sender-not-authenticated',
      'the sender is not authenticated',
    ],
    [
      'data',
      421,
      `4.7.27 Your email has been rate limited because SPF authentication didn't pass. ${GSMTP}`,
      'sender-not-authenticated',
      'SPF did not pass',
    ],
    [
      'data',
      550,
      `5.7.30 This mail has been blocked because DKIM authentication didn't pass. ${GSMTP}`,
      'sender-not-authenticated',
      'DKIM did not pass',
    ],
    [
      'data',
      421,
      `4.7.32 The From header is not aligned with the DKIM or SPF domain. ${GSMTP}`,
      'sender-not-authenticated',
      'not aligned',
    ],
    [
      'data',
      421,
      `4.7.40 DMARC policy is not set for the sender domain. ${GSMTP}`,
      'sender-not-authenticated',
      'no DMARC policy',
    ],
    [
      'data',
      550,
      `5.7.40 DMARC policy is not set for the sender domain. ${GSMTP}`,
      'sender-not-authenticated',
      'no DMARC policy',
    ],
    [
      'data',
      421,
      `4.7.28 The same Message-ID was sent too many times. ${GSMTP}`,
      'rate-limited',
      'the same Message-ID',
    ],
    [
      'data',
      421,
      `4.7.29 This message wasn't sent over a TLS connection. ${GSMTP}`,
      'tls-failure',
      'not sent over TLS',
    ],
    [
      'data',
      550,
      `5.7.29 This message wasn't sent over a TLS connection. ${GSMTP}`,
      'tls-failure',
      'not sent over TLS',
    ],
    [
      'data',
      550,
      `5.7.515 Access denied, sending domain [tenant.example] doesn't meet the required authentication level. ${EXCHANGE}`,
      'sender-not-authenticated',
      'Outlook.com refused',
    ],
    // The same code from Exchange Online keeps its own meaning.
    [
      'auth',
      550,
      `5.7.30 Basic authentication is not supported for Client Submission. ${EXCHANGE}`,
      'authentication-failed',
      'Basic authentication is not supported',
    ],
  ] as const)(
    'explains a %s reply of %i %s',
    async (stage, code, message, outcome, text) => {
      const { backend } = await start('SQLITE_3');
      refuse = { stage, reply: { code, message } };

      const response = await request(backend)
        .post('/api/mailer/connection-test')
        .send({ sendTo: 'someone@gmail.example' })
        .expect(200);
      const result = response.body as ConnectionTestResult;

      expect(result.outcome).toBe(outcome);
      expect(result.message).toContain(text);
      expect(result.reply).toMatchObject({
        responseCode: code,
        response: expect.stringContaining(message.slice(0, 6)),
      });
      expect(result.advice).toContain(ADVICE[outcome]);
    },
  );
});

describe.each(databases.eachSupportedId())(
  'receivers refusing the sender, in delivery on %s',
  databaseId => {
    it("explains a refused message in its record and in the delivery view's failures", async () => {
      const { backend, mailer } = await start(databaseId);
      refuse = {
        stage: 'data',
        reply: {
          code: 550,
          message: `5.7.26 This mail has been blocked because the sender is unauthenticated. ${GSMTP}`,
        },
      };

      const { id } = await mailer.send({
        to: 'ada@gmail.example',
        subject: 'Welcome',
        text: 'Hello',
      });
      const status = await mailer
        .waitForDelivery(id, { timeoutMs: 10_000 })
        .then(
          () => {
            throw new Error('The refused message was delivered');
          },
          () => mailer.getStatus(id),
        );
      expect(status).toMatchObject({
        state: 'failed',
        lastReply: { responseCode: 550 },
        explanation: {
          message: expect.stringContaining('the sender is not authenticated'),
          advice: expect.stringContaining('The sender check'),
        },
      });

      let summary: DeliverySummary | undefined;
      await eventually(
        async () => {
          summary = (
            await request(backend)
              .get('/api/mailer/delivery-summary')
              .expect(200)
          ).body as DeliverySummary;
          return summary.recentFailures.length > 0;
        },
        10_000,
        'the failure in the delivery view',
      );
      expect(summary?.recentFailures[0]).toMatchObject({
        reply: { responseCode: 550 },
        explanation: {
          message: expect.stringContaining('the sender is not authenticated'),
        },
      });
    });

    it('pauses on a 421 refusal of the sender and says why and what to publish', async () => {
      const { backend, mailer } = await start(databaseId);
      refuse = {
        stage: 'data',
        reply: {
          code: 421,
          message: `4.7.40 DMARC policy is not set for the sender domain. ${GSMTP}`,
        },
      };

      await mailer.send({ to: 'ada@gmail.example', subject: 's', text: 't' });
      const summary = await waitForPause(backend);
      expect(summary.pause).toMatchObject({
        server: 'custom',
        reason: expect.stringContaining('no DMARC policy'),
        advice: expect.stringContaining('v=DMARC1; p=none'),
      });
    });
  },
);
