import { SmtpTestServer, startSilentServer } from '@internal/smtp-test-server';
import request from 'supertest';
import {
  createConsumerPlugin,
  tenantFromCallerModule,
} from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import {
  deliveriesPerRecipient,
  eventually,
  recipients,
  saveTenantSettings,
  tenantServerSettings,
} from './__testUtils__/outboxHarness';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { mockCredentials } from '@backstage/backend-test-utils';

// Tenants side by side: one tenant's slow, hung or misconfigured server, or
// its big campaign, must not hold up anyone's transactional mail.

const databases = createTestDatabases();
jest.setTimeout(90_000);

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

describe.each(databases.eachSupportedId())(
  'tenants of the outbox on %s',
  databaseId => {
    async function start(
      defaultServer: SmtpTestServer,
      delivery: Record<string, any> = {},
    ) {
      const consumer = createConsumerPlugin();
      const started = await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: defaultServer.host, port: defaultServer.port },
        delivery,
        features: [consumer.plugin, tenantFromCallerModule],
      });
      closing.push({ close: () => started.backend.stop() });
      return { ...started, mailer: consumer.mailer() };
    }

    async function summaryOf(server: any, tenant: string) {
      const response = await request(server)
        .get('/api/mailer/delivery-summary')
        .set(
          'Authorization',
          mockCredentials.user.header(`user:default/${tenant}`),
        )
        .expect(200);
      return response.body;
    }

    it("delivers a healthy tenant's mail at once while another tenant's server hangs, and shows that tenant paused", async () => {
      const defaultServer = await smtpServer();
      const healthyServer = await smtpServer();
      const hung = await startSilentServer();
      closing.push(hung);
      const { mailer, server, knex } = await start(defaultServer, {
        connectionTimeout: '1s',
        socketTimeout: '1s',
      });
      await saveTenantSettings(server, 'hung', tenantServerSettings(hung));
      await saveTenantSettings(
        server,
        'healthy',
        tenantServerSettings(healthyServer),
      );

      await mailer.sendBulk(
        { subject: 'news', text: 'x' },
        recipients(200, 'h'),
        {
          tenantId: 'hung',
        },
      );
      const startedAt = Date.now();
      for (let i = 0; i < 20; i++) {
        await mailer.send(
          { to: `reset${i}@healthy.example`, subject: 'Reset', text: 'link' },
          { tenantId: 'healthy' },
        );
      }
      await healthyServer.waitForMessages(20, 5_000);
      expect(Date.now() - startedAt).toBeLessThan(5_000);

      let hungSummary: any;
      await eventually(
        async () => {
          hungSummary = await summaryOf(server, 'hung');
          return hungSummary.pause !== undefined;
        },
        10_000,
        'the hung tenant to be paused',
      );
      expect(hungSummary.pause).toMatchObject({
        server: 'custom',
        reason: expect.stringMatching(/did not answer in time/),
      });
      // Nothing of the hung tenant failed, and no attempt was spent on it.
      expect(hungSummary.recentFailures).toEqual([]);
      const hungRows = await knex('mailer_outbox')
        .where({ tenant_id: 'hung' })
        .select('state', 'attempts');
      expect(hungRows).toHaveLength(200);
      expect(
        hungRows.every(r => r.state !== 'failed' && Number(r.attempts) <= 1),
      ).toBe(true);
      const healthyCounts = deliveriesPerRecipient(healthyServer);
      expect(healthyCounts.size).toBe(20);
      expect([...healthyCounts.values()].every(n => n === 1)).toBe(true);
      expect(defaultServer.messages).toHaveLength(0);
      expect((await summaryOf(server, 'healthy')).pause).toBeUndefined();
    });

    it('pauses a campaign on 535 without failing any of it, and completes it once the password is fixed', async () => {
      const defaultServer = await smtpServer();
      const tenantServer = await smtpServer({
        users: { 'mailer@tenant.example': 'right-password' },
      });
      const { mailer, server, knex } = await start(defaultServer);
      await saveTenantSettings(
        server,
        'acme',
        tenantServerSettings(tenantServer, {
          'SMTP.Password': 'wrong-password',
        }),
      );
      await mailer.sendBulk(
        { subject: 'news', text: 'x' },
        recipients(100, 'a'),
        {
          tenantId: 'acme',
        },
      );

      await eventually(
        async () => (await summaryOf(server, 'acme')).pause !== undefined,
        10_000,
        'the tenant to be paused',
      );
      const summary = await summaryOf(server, 'acme');
      expect(summary.pause).toMatchObject({
        reply: { responseCode: 535, code: 'EAUTH' },
      });
      expect(JSON.stringify(summary)).not.toContain('wrong-password');
      const rows = await knex('mailer_outbox').select('state', 'attempts');
      expect(rows.every(r => r.state !== 'failed')).toBe(true);
      expect(rows.every(r => Number(r.attempts) <= 1)).toBe(true);
      expect(tenantServer.messages).toHaveLength(0);

      await saveTenantSettings(server, 'acme', {
        'SMTP.Password': 'right-password',
      });
      await tenantServer.waitForMessages(100, 30_000);
      const counts = deliveriesPerRecipient(tenantServer);
      expect(counts.size).toBe(100);
      expect([...counts.values()].every(n => n === 1)).toBe(true);
      await eventually(
        async () => (await summaryOf(server, 'acme')).pause === undefined,
        10_000,
        'the pause to end',
      );
    });

    it.each([
      ['the same tenant', 'big'],
      ['another tenant on the same server', 'small'],
    ])(
      'sends a password reset of %s queued during a 10,000-message campaign within the next windows',
      async (_case, resetTenant) => {
        const smtp = await smtpServer();
        const { mailer } = await start(smtp);
        await mailer.sendBulk(
          { subject: 'newsletter', text: 'x' },
          recipients(10_000),
          { tenantId: 'big' },
        );
        await smtp.waitForMessages(200, 30_000);
        const queuedAfter = smtp.messages.length;
        await mailer.send(
          {
            to: 'reset@example.org',
            subject: 'Reset your password',
            text: 'link',
          },
          { tenantId: resetTenant },
        );
        await eventually(
          () =>
            smtp.messages.some(
              m => m.envelope.rcptTo[0] === 'reset@example.org',
            ),
          30_000,
          'the password reset',
        );
        const position = smtp.messages.findIndex(
          m => m.envelope.rcptTo[0] === 'reset@example.org',
        );
        // A window is 5 connections × 20 messages; the reset waits for at
        // most what was already claimed ahead of it.
        expect(position - queuedAfter).toBeLessThanOrEqual(120);
      },
    );
  },
);
