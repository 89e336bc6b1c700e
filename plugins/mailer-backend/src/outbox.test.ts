import {
  SmtpTestServer,
  SmtpTestServerOptions,
} from '@internal/smtp-test-server';
import { Knex } from 'knex';
import request from 'supertest';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import {
  deliveriesPerRecipient,
  eventually,
  recipients,
  tenantServerSettings,
} from './__testUtils__/outboxHarness';
import { watchQueries } from './__testUtils__/queryWatch';
import { saveSettings } from './__testUtils__/saveSettings';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { waitForPause } from './__testUtils__/waitForPause';

// One replica against real SMTP servers: what reaches whom, how often, and
// what the delivery records say.

const databases = createTestDatabases();
jest.setTimeout(60_000);

const servers: SmtpTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(s => s.close()));
});
async function smtpServer(options: SmtpTestServerOptions = {}) {
  const server = await SmtpTestServer.start(options);
  servers.push(server);
  return server;
}

describe.each(databases.eachSupportedId())('the outbox on %s', databaseId => {
  async function start(
    defaultServer: SmtpTestServer,
    options: {
      delivery?: Record<string, any>;
      defaultExtra?: Record<string, any>;
    } = {},
  ) {
    const consumer = createConsumerPlugin();
    const started = await startMailerTestBackend(databases, databaseId, {
      defaultServer: {
        host: defaultServer.host,
        port: defaultServer.port,
        extra: options.defaultExtra,
      },
      delivery: options.delivery,
      features: [consumer.plugin],
    });
    return { ...started, mailer: consumer.mailer() };
  }

  it('delivers a personalised bulk mailing once to every recipient, with the body stored once', async () => {
    const smtp = await smtpServer();
    const { mailer, knex } = await start(smtp);
    const result = await mailer.sendBulk(
      {
        subject: 'Hello {{name}}',
        text: 'Dear {{name}}, your number is {{seq}}.',
        html: '<p>Dear {{name}}</p>',
      },
      [
        ...recipients(1200),
        {
          to: 'mallory@example.com',
          variables: { name: '<script>x</script>' },
        },
      ],
    );
    expect(result.accepted).toBe(1201);

    await smtp.waitForMessages(1201, 40_000);
    const counts = deliveriesPerRecipient(smtp);
    expect(counts.size).toBe(1201);
    expect([...counts.values()].every(n => n === 1)).toBe(true);
    const seventh = smtp.messages.find(
      m => m.envelope.rcptTo[0] === 'user7@example.com',
    )!;
    expect(seventh.parsed.subject).toBe('Hello Name 7');
    expect(seventh.parsed.text?.trim()).toBe('Dear Name 7, your number is 7.');
    const mallory = smtp.messages.find(
      m => m.envelope.rcptTo[0] === 'mallory@example.com',
    )!;
    expect(mallory.parsed.html).toBe(
      '<p>Dear &lt;script&gt;x&lt;/script&gt;</p>',
    );
    const [{ n: campaigns }] = await knex('mailer_campaigns').count({ n: '*' });
    expect(Number(campaigns)).toBe(1);
    // The pool never opened more connections than allowed.
    expect(smtp.connections.peak).toBeLessThanOrEqual(5);
  });

  it('counts an attempt for a refused message (451 to its data), not for a server that refuses connections (421), and delivers each exactly once', async () => {
    let refusedConnections = 0;
    let refusedSenders = 0;
    const smtp = await smtpServer({
      replies: {
        connect: () =>
          refusedConnections++ < 2
            ? { code: 421, message: '4.7.0 Too busy, try later' }
            : undefined,
        data: () =>
          refusedSenders++ < 3
            ? { code: 451, message: '4.3.0 Try again later' }
            : undefined,
      },
    });
    const { mailer, knex } = await start(smtp);
    const { id } = await mailer.send({
      to: 'first@example.com',
      subject: 'one',
      text: '1',
    });
    await mailer.sendBulk({ subject: 'bulk', text: 'x' }, recipients(50));

    expect(
      await mailer.waitForDelivery(id, { timeoutMs: 20_000 }),
    ).toMatchObject({
      state: 'sent',
    });
    await smtp.waitForMessages(51, 20_000);
    const counts = deliveriesPerRecipient(smtp);
    expect(counts.size).toBe(51);
    expect([...counts.values()].every(n => n === 1)).toBe(true);
    expect(refusedConnections).toBeGreaterThanOrEqual(2);
    expect(refusedSenders).toBeGreaterThanOrEqual(3);
    // One attempt per message sent, plus one per 451; the 421s cost none.
    await eventually(
      async () => {
        const [{ total, sent }] = await knex('mailer_outbox')
          .sum({ total: 'attempts' })
          .count({ sent: '*' })
          .where({ state: 'sent' });
        return Number(sent) === 51 && Number(total) === 51 + 3;
      },
      10_000,
      'attempts to be recorded',
    );
  });

  it('retries only the recipient refused for now (450), records the one refused for good (550), and delivers the others once', async () => {
    let greylisted = true;
    const smtp = await smtpServer({
      replies: {
        rcptTo: address => {
          if (address === 'grey@example.com' && greylisted) {
            greylisted = false;
            return { code: 450, message: '4.2.0 Greylisted, try again later' };
          }
          if (address === 'gone@example.com') {
            return { code: 550, message: '5.1.1 No such user here' };
          }
          return undefined;
        },
      },
    });
    const { mailer } = await start(smtp);
    const { id } = await mailer.send({
      to: ['here@example.com', 'grey@example.com', 'gone@example.com'],
      subject: 'Three recipients',
      text: 'x',
    });

    const status = await mailer.waitForDelivery(id, { timeoutMs: 20_000 });
    expect(status).toMatchObject({
      state: 'partial',
      attempts: 2,
      rejected: ['gone@example.com'],
    });
    expect(status.recipients).toEqual([
      { address: 'here@example.com', state: 'sent' },
      { address: 'grey@example.com', state: 'sent' },
      {
        address: 'gone@example.com',
        state: 'failed',
        reply: {
          responseCode: 550,
          response: expect.stringContaining('5.1.1 No such user here'),
        },
      },
    ]);
    // Two transactions: all three tried first, then only the greylisted one.
    expect(smtp.messages.map(m => m.envelope.rcptTo)).toEqual([
      ['here@example.com'],
      ['grey@example.com'],
    ]);
    // Both copies carry the same Message-ID and the full headers.
    const [first, second] = smtp.messages;
    expect(second.parsed.messageId).toBe(first.parsed.messageId);
    expect(second.parsed.to).toEqual(first.parsed.to);
  });

  it('sends the rest at once in a new transaction when the server takes only so many recipients (452)', async () => {
    let inTransaction = 0;
    const smtp = await smtpServer({
      replies: {
        mailFrom: () => {
          inTransaction = 0;
          return undefined;
        },
        rcptTo: () =>
          ++inTransaction > 2
            ? { code: 452, message: '4.5.3 Too many recipients' }
            : undefined,
      },
    });
    const { mailer } = await start(smtp);
    const to = [1, 2, 3, 4, 5].map(i => `r${i}@example.com`);
    const { id } = await mailer.send({ to, subject: 'five', text: 'x' });

    const status = await mailer.waitForDelivery(id, { timeoutMs: 10_000 });
    expect(status).toMatchObject({ state: 'sent', attempts: 1 });
    expect(smtp.messages.map(m => m.envelope.rcptTo)).toEqual([
      ['r1@example.com', 'r2@example.com'],
      ['r3@example.com', 'r4@example.com'],
      ['r5@example.com'],
    ]);
  });

  it('fails the bulk recipient refused with 550, delivers the rest, and reports both in the summary', async () => {
    const smtp = await smtpServer({
      replies: {
        rcptTo: address =>
          address === 'user3@example.com'
            ? { code: 550, message: '5.1.1 No such user here' }
            : undefined,
      },
    });
    const { mailer, server } = await start(smtp);
    const campaign = await mailer.sendBulk(
      { subject: 's', text: 't' },
      recipients(10),
    );
    await smtp.waitForMessages(9, 10_000);

    let summary: any;
    await eventually(
      async () => {
        summary = (
          await request(server).get('/api/mailer/delivery-summary').expect(200)
        ).body;
        const counts = summary.campaigns[0]?.counts;
        return counts?.failed === 1 && counts?.sent === 9;
      },
      10_000,
      'the summary to show 9 sent, 1 failed',
    );
    expect(summary.campaigns[0]).toMatchObject({
      campaignId: campaign.campaignId,
      createdBy: 'plugin:consumer',
      counts: {
        queued: 0,
        sending: 0,
        retrying: 0,
        sent: 9,
        partial: 0,
        failed: 1,
      },
    });
    expect(summary.recentFailures).toEqual([
      expect.objectContaining({
        recipients: ['user3@example.com'],
        reply: expect.objectContaining({
          responseCode: 550,
          response: expect.stringContaining('5.1.1 No such user here'),
        }),
      }),
    ]);
    expect(summary.pause).toBeUndefined();
  });

  it('fails a message that cannot be built by itself, and delivers the rest of its claim', async () => {
    const smtp = await smtpServer();
    const { mailer, knex } = await start(smtp);
    // Rows as a corrupted database would hold them, queued together so
    // that one claim takes them all: a body that is not JSON, recipients
    // that are not JSON, and three good messages.
    const now = Date.now();
    const campaign = (id: string, template: string) => ({
      id,
      tenant_id: 'default',
      priority: 0,
      template,
      created_at: now,
    });
    const message = (
      id: string,
      campaignId: string,
      recipientsJson: string,
    ) => ({
      id,
      campaign_id: campaignId,
      tenant_id: 'default',
      priority: 0,
      recipients: recipientsJson,
      state: 'waiting',
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
      updated_at: now,
    });
    const to = (address: string) => JSON.stringify({ to: [address] });
    await knex.transaction(async tx => {
      await tx('mailer_campaigns').insert([
        campaign('bad-body', '{not json'),
        campaign('good', JSON.stringify({ subject: 'ok', text: 'x' })),
      ]);
      await tx('mailer_outbox').insert([
        message('m-bad-body', 'bad-body', to('bad-body@example.com')),
        message('m-bad-recipients', 'good', '[not json'),
        ...[1, 2, 3].map(i =>
          message(`m-ok${i}`, 'good', to(`ok${i}@example.com`)),
        ),
      ]);
    });

    for (const id of ['m-bad-body', 'm-bad-recipients']) {
      const error = await mailer
        .waitForDelivery(id, { timeoutMs: 10_000 })
        .catch(e => e);
      expect(error.name).toBe('MailDeliveryError');
      expect(error.reply).toMatchObject({ code: 'ECOMPOSE' });
    }
    for (const id of ['m-ok1', 'm-ok2', 'm-ok3']) {
      expect(
        await mailer.waitForDelivery(id, { timeoutMs: 10_000 }),
      ).toMatchObject({
        state: 'sent',
        attempts: 1,
      });
    }
    expect(smtp.messages.map(m => m.envelope.rcptTo[0]).sort()).toEqual([
      'ok1@example.com',
      'ok2@example.com',
      'ok3@example.com',
    ]);
  });

  it('holds mail back (instead of failing it) while the settings cannot be used, and says why', async () => {
    const smtp = await smtpServer();
    const { mailer, server, knex } = await start(smtp, {
      delivery: { retry: { maxAttempts: 2 } },
    });
    await saveSettings(server, tenantServerSettings(smtp));
    // As if the key that encrypted the password had been removed from config.
    await knex('mailer_settings')
      .where({ setting_key: 'SMTP.Password' })
      .update({ encryption_key_id: 'retired-key' });
    // A change made behind the service's back (as by another replica) is
    // seen within half a second (the worker's cache of settings): waiting
    // that long is the promise under test, and a busy machine can only make
    // the wait longer, never too short.
    await new Promise(resolve => setTimeout(resolve, 600));

    const { id } = await mailer.send({
      to: 'a@example.com',
      subject: 's',
      text: 't',
    });
    const summary = await waitForPause(server);
    expect(summary.pause).toMatchObject({
      server: 'custom',
      reason: expect.stringContaining(
        'key "retired-key", which is not in mailer.encryption.keys',
      ),
      reply: { code: 'ESETTINGS' },
    });
    // The worker tried again once the pause ran out, and held the mail
    // back again.
    await eventually(
      async () =>
        Number(
          (await knex('mailer_delivery_pauses').max({ n: 'failures' }))[0].n,
        ) >= 2,
      20_000,
      'a second failed try',
    );
    expect(await mailer.getStatus(id)).toMatchObject({
      state: 'queued',
      attempts: 0,
    });
    expect(smtp.messages).toHaveLength(0);

    // The operator puts the key back: the mail goes out.
    await knex('mailer_settings')
      .where({ setting_key: 'SMTP.Password' })
      .update({ encryption_key_id: 'test-1' });
    expect(
      await mailer.waitForDelivery(id, { timeoutMs: 10_000 }),
    ).toMatchObject({
      state: 'sent',
    });
  });

  /**
   * Waits for `count` messages, then until the worker has asked the ledger
   * for quota twice more; returns what was claimed and received by then:
   * had it been given more, it would have claimed more.
   */
  async function afterLimit(knex: Knex, smtp: SmtpTestServer, count: number) {
    await smtp.waitForMessages(count, 10_000);
    const askedForQuota = watchQueries(knex, /mailer_rate_limit_locks/i);
    await askedForQuota.next(2);
    askedForQuota.stop();
    const [{ n }] = await knex('mailer_outbox')
      .whereNot({ state: 'waiting' })
      .count({ n: '*' });
    return { claimed: Number(n), received: smtp.messages.length };
  }

  it("keeps to a tenant's messages-per-minute limit", async () => {
    const smtp = await smtpServer();
    const { mailer, server, knex } = await start(smtp);
    await saveSettings(
      server,
      tenantServerSettings(smtp, { 'SMTP.RateLimit': '30' }),
    );
    await mailer.sendBulk({ subject: 's', text: 't' }, recipients(45));
    expect(await afterLimit(knex, smtp, 30)).toEqual({
      claimed: 30,
      received: 30,
    });
  });

  it("keeps to the default mailbox's messages-per-minute limit", async () => {
    const smtp = await smtpServer();
    const { mailer, knex } = await start(smtp, {
      defaultExtra: { rateLimit: 20 },
    });
    await mailer.sendBulk({ subject: 's', text: 't' }, recipients(35));
    expect(await afterLimit(knex, smtp, 20)).toEqual({
      claimed: 20,
      received: 20,
    });
  });

  it('sends the rest of a campaign through the new server when the settings change', async () => {
    const smtp = await smtpServer();
    const newServer = await smtpServer();
    const { mailer, server } = await start(smtp, {
      delivery: { windowPerConnection: 4 },
    });
    await saveSettings(server, tenantServerSettings(smtp));
    await mailer.sendBulk({ subject: 's', text: 't' }, recipients(300));
    await smtp.waitForMessages(20, 10_000);
    await saveSettings(server, {
      'SMTP.Port': String(newServer.port),
      'SMTP.Password': 'any-password',
    });
    await eventually(
      () => smtp.messages.length + newServer.messages.length >= 300,
      30_000,
      'all 300 messages',
    );
    expect(newServer.messages.length).toBeGreaterThan(0);
    const counts = deliveriesPerRecipient(smtp, newServer);
    expect(counts.size).toBe(300);
    expect([...counts.values()].every(n => n === 1)).toBe(true);
  });
});
