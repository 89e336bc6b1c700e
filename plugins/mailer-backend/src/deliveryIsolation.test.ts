import {
  SmtpTestServer,
  SmtpTestServerOptions,
} from '@internal/smtp-test-server';
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
import { OutboxQueue } from './database/OutboxQueue';
import request from 'supertest';

// What one message, one recipient or one tenant's server can do to
// everyone else's mail: nothing more than to itself.

const databases = createTestDatabases();
jest.setTimeout(60_000);

const closing: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map(s => s.close()));
});
async function smtpServer(options: SmtpTestServerOptions = {}) {
  const server = await SmtpTestServer.start(options);
  closing.push(server);
  return server;
}

describe.each(databases.eachSupportedId())(
  'delivery isolation on %s',
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

    const pauseCount = async (knex: any) =>
      Number((await knex('mailer_delivery_pauses').count({ n: '*' }))[0].n);

    it('fails a recipient refused at RCPT TO alone, whatever its address says, without pausing the shared default mailbox', async () => {
      const smtp = await smtpServer({
        replies: {
          rcptTo: address =>
            address === 'SendAsDenied@relay.test'
              ? {
                  code: 550,
                  message: `5.1.1 <${address}>: Recipient address rejected`,
                }
              : undefined,
        },
      });
      let paused = false;
      const { mailer, knex } = await start(smtp);
      const watch = setInterval(async () => {
        paused ||= (await pauseCount(knex).catch(() => 0)) > 0;
      }, 20);
      try {
        const { id } = await mailer.send(
          { to: 'SendAsDenied@relay.test', subject: 'Welcome', text: 'x' },
          { tenantId: 'signup' },
        );
        const others = [];
        for (let i = 0; i < 20; i++) {
          others.push(
            await mailer.send(
              { to: `user${i}@example.com`, subject: 'Reset', text: 'x' },
              { tenantId: `tenant${i % 4}` },
            ),
          );
        }
        await smtp.waitForMessages(20, 10_000);
        await expect(
          mailer.waitForDelivery(id, { tenantId: 'signup' }),
        ).rejects.toThrow();
        expect(
          await mailer.getStatus(id, { tenantId: 'signup' }),
        ).toMatchObject({
          state: 'failed',
          attempts: 1,
          lastReply: { responseCode: 550 },
        });
      } finally {
        clearInterval(watch);
      }
      expect(paused).toBe(false);
    });

    it('pauses the server for a refused sender (451 at MAIL FROM) without spending attempts, and delivers once it recovers', async () => {
      let refusals = 0;
      const smtp = await smtpServer({
        replies: {
          mailFrom: () =>
            refusals++ < 2
              ? {
                  code: 451,
                  message: '4.3.0 Mail server temporarily rejected message',
                }
              : undefined,
        },
      });
      const { mailer, knex } = await start(smtp);
      let paused = false;
      const watch = setInterval(async () => {
        paused ||= (await pauseCount(knex).catch(() => 0)) > 0;
      }, 20);
      try {
        const { id } = await mailer.send({
          to: 'ada@example.com',
          subject: 's',
          text: 't',
        });
        await expect(
          mailer.waitForDelivery(id, { timeoutMs: 15_000 }),
        ).resolves.toMatchObject({ state: 'sent', attempts: 1 });
      } finally {
        clearInterval(watch);
      }
      expect(paused).toBe(true);
      expect(smtp.messages).toHaveLength(1);
    });

    it('fails a message the server refuses after its data (554) by itself; the server goes on', async () => {
      const smtp = await smtpServer({
        replies: {
          data: envelope =>
            envelope.rcptTo.includes('spam@example.com')
              ? { code: 554, message: '5.6.0 Message content rejected' }
              : undefined,
        },
      });
      const { mailer, knex } = await start(smtp);
      const refused = await mailer.send({
        to: 'spam@example.com',
        subject: 's',
        text: 't',
      });
      const fine = await mailer.send({
        to: 'fine@example.com',
        subject: 's',
        text: 't',
      });
      await expect(mailer.waitForDelivery(fine.id)).resolves.toMatchObject({
        state: 'sent',
      });
      await expect(mailer.waitForDelivery(refused.id)).rejects.toThrow();
      expect(await mailer.getStatus(refused.id)).toMatchObject({
        state: 'failed',
        attempts: 1,
        lastReply: { responseCode: 554 },
      });
      expect(await pauseCount(knex)).toBe(0);
    });

    it('fails a message the server keeps deferring (451 to its data) once its attempts are spent, with the reply in its status and the delivery view', async () => {
      const smtp = await smtpServer({
        replies: {
          data: envelope =>
            envelope.rcptTo.includes('greylisted@example.com')
              ? { code: 451, message: '4.7.1 Try again later' }
              : undefined,
        },
      });
      const { mailer, server, knex } = await start(smtp, {
        retry: { maxAttempts: 3, initialDelay: '50ms', maxDelay: '100ms' },
      });
      const deferred = await mailer.send({
        to: 'greylisted@example.com',
        subject: 's',
        text: 't',
      });
      await expect(
        mailer.waitForDelivery(deferred.id, { timeoutMs: 20_000 }),
      ).rejects.toThrow();
      expect(await mailer.getStatus(deferred.id)).toMatchObject({
        state: 'failed',
        attempts: 3,
        lastReply: { responseCode: 451 },
      });
      let failures: Array<{ id: string; reply?: { responseCode?: number } }> =
        [];
      await eventually(
        async () => {
          failures = (
            await request(server)
              .get('/api/mailer/delivery-summary')
              .expect(200)
          ).body.recentFailures;
          return failures.length > 0;
        },
        10_000,
        'the failure in the delivery view',
      );
      expect(failures).toEqual([
        expect.objectContaining({
          id: deferred.id,
          reply: expect.objectContaining({ responseCode: 451 }),
        }),
      ]);
      // The server was not paused for it: it is the message's reply.
      expect(await pauseCount(knex)).toBe(0);
    });

    it('fails alone, after its attempts, a message that makes the server close the channel every time while others go through', async () => {
      const smtp = await smtpServer({
        replies: {
          data: envelope =>
            envelope.rcptTo.includes('crash@example.com')
              ? { code: 421, message: '4.3.0 Content scanner crashed, closing' }
              : undefined,
        },
      });
      const { mailer } = await start(smtp, {
        retry: { maxAttempts: 3, initialDelay: '50ms', maxDelay: '100ms' },
      });
      // The server has worked for someone before the culprit arrives.
      const first = await mailer.send({
        to: 'a@example.com',
        subject: 's',
        text: 't',
      });
      await mailer.waitForDelivery(first.id);
      const culprit = await mailer.send({
        to: 'crash@example.com',
        subject: 's',
        text: 't',
      });
      const others = [];
      for (let i = 0; i < 10; i++) {
        others.push(
          await mailer.send({
            to: `o${i}@example.com`,
            subject: 's',
            text: 't',
          }),
        );
      }
      await expect(
        mailer.waitForDelivery(culprit.id, { timeoutMs: 20_000 }),
      ).rejects.toThrow();
      expect(await mailer.getStatus(culprit.id)).toMatchObject({
        state: 'failed',
        attempts: 3,
        lastReply: { responseCode: 421 },
      });
      for (const { id } of others) {
        await expect(mailer.waitForDelivery(id)).resolves.toMatchObject({
          state: 'sent',
        });
      }
    });

    it('fails a message older than maxAge when its server fails, instead of giving it back forever', async () => {
      const defaultServer = await smtpServer();
      const refusing = await smtpServer({
        replies: { connect: () => ({ code: 421, message: '4.7.0 Too busy' }) },
      });
      const { mailer, server, knex } = await start(defaultServer, {
        retry: { maxAge: '1h' },
      });
      await saveTenantSettings(server, 'old', tenantServerSettings(refusing));
      // Queued two hours ago (a long outage), as the database says.
      const { id } = await mailer.send(
        { to: 'late@example.com', subject: 's', text: 't' },
        { tenantId: 'old' },
      );
      await knex('mailer_outbox')
        .where({ id })
        .update({ created_at: knex.raw('created_at - 7200000') });
      await expect(
        mailer.waitForDelivery(id, { tenantId: 'old', timeoutMs: 15_000 }),
      ).rejects.toThrow();
      expect(await mailer.getStatus(id, { tenantId: 'old' })).toMatchObject({
        state: 'failed',
        lastReply: { responseCode: 421 },
      });
    });

    it('sends every message of three tenants through one lane place (maxPools 1), leaving nothing claimed', async () => {
      const defaultServer = await smtpServer();
      const tenantServers = [
        await smtpServer(),
        await smtpServer(),
        await smtpServer(),
      ];
      const { mailer, server, knex } = await start(defaultServer, {
        maxPools: 1,
      });
      for (const [i, smtp] of tenantServers.entries()) {
        await saveTenantSettings(server, `t${i}`, tenantServerSettings(smtp));
      }
      await Promise.all(
        tenantServers.map((_smtp, i) =>
          mailer.sendBulk(
            { subject: 'news', text: 'x' },
            recipients(60, `t${i}-`),
            { tenantId: `t${i}` },
          ),
        ),
      );
      await Promise.all(tenantServers.map(s => s.waitForMessages(60, 30_000)));
      for (const smtp of tenantServers) {
        expect([...deliveriesPerRecipient(smtp).values()]).toEqual(
          Array(60).fill(1),
        );
      }
      await eventually(
        async () =>
          Number(
            (
              await knex('mailer_outbox')
                .whereNot('state', 'sent')
                .count({ n: '*' })
            )[0].n,
          ) === 0,
        10_000,
        'every message recorded as sent',
      );
    });

    it('keeps what recipients got before a server failure that follows a 452: nobody gets the message twice', async () => {
      let transactions = 0;
      const smtp = await smtpServer({
        replies: {
          mailFrom: () => {
            transactions += 1;
            // The follow-up transaction for the recipients refused with 452
            // meets a server that closes the channel, for a while.
            return transactions >= 2 && transactions <= 4
              ? { code: 421, message: '4.3.2 Shutting down' }
              : undefined;
          },
          rcptTo: address =>
            transactions === 1 && address.startsWith('late')
              ? { code: 452, message: '4.5.3 Too many recipients' }
              : undefined,
        },
      });
      const { mailer } = await start(smtp);
      const to = [
        'a@example.com',
        'b@example.com',
        'late1@example.com',
        'late2@example.com',
      ];
      const { id } = await mailer.send({ to, subject: 's', text: 't' });
      await expect(
        mailer.waitForDelivery(id, { timeoutMs: 20_000 }),
      ).resolves.toMatchObject({ state: 'sent' });
      expect(Object.fromEntries(deliveriesPerRecipient(smtp))).toEqual({
        'a@example.com': 1,
        'b@example.com': 1,
        'late1@example.com': 1,
        'late2@example.com': 1,
      });
      expect(transactions).toBeGreaterThanOrEqual(5);
    });

    it('sends nothing more of a campaign cancelled while its messages were on the wire and the server then failed', async () => {
      const defaultServer = await smtpServer();
      let failing = true;
      let onWire = 0;
      let answer: () => void = () => {};
      const gate = new Promise<void>(resolve => {
        answer = resolve;
      });
      const tenantServer = await smtpServer({
        replies: {
          data: async () => {
            if (!failing) return undefined;
            onWire += 1;
            await gate;
            return { code: 421, message: '4.3.0 Going down' };
          },
        },
      });
      const { mailer, server, knex } = await start(defaultServer);
      await saveTenantSettings(
        server,
        'news',
        tenantServerSettings(tenantServer),
      );
      const { campaignId } = await mailer.sendBulk(
        { subject: 'news', text: 'x' },
        recipients(30, 'reader'),
        { tenantId: 'news' },
      );
      // Every connection the lane opened holds a message at DATA: one that
      // reached DATA only after the cancel would have been on the wire
      // before it, and may be sent (as the README says).
      let seen = -1;
      await eventually(
        async () => {
          const now = onWire;
          await new Promise(resolve => setTimeout(resolve, 300));
          const settled = now > 0 && now === seen && now === onWire;
          seen = now;
          return settled;
        },
        10_000,
        'every connection waiting at DATA',
      );
      // Cancelled (on another replica, say) while some are being sent.
      await new OutboxQueue(knex).cancelCampaign(campaignId);
      failing = false;
      answer();
      // The tenant's server works again: a message sent after the cancel
      // arrives, and nothing of the campaign does.
      const { id } = await mailer.send(
        { to: 'after@example.com', subject: 'after', text: 'x' },
        { tenantId: 'news' },
      );
      await expect(
        mailer.waitForDelivery(id, { tenantId: 'news', timeoutMs: 20_000 }),
      ).resolves.toMatchObject({ state: 'sent' });
      await eventually(
        async () =>
          Number(
            (
              await knex('mailer_outbox')
                .where({ campaign_id: campaignId })
                .whereIn('state', ['waiting', 'sending'])
                .count({ n: '*' })
            )[0].n,
          ) === 0,
        10_000,
        'the campaign withdrawn',
      );
      expect(tenantServer.messages.map(m => m.envelope.rcptTo[0])).toEqual([
        'after@example.com',
      ]);
    });
  },
);
