import { BulkRecipient } from '@elixeum/plugin-mailer-common';
import { mockServices } from '@backstage/backend-test-utils';
import { SmtpTestServer } from '@internal/smtp-test-server';
import request from 'supertest';
import {
  createConsumerPlugin,
  tenantFromCallerModule,
} from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { saveSettings } from './__testUtils__/saveSettings';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { openDatabase } from './database/openDatabase';
import { OutboxStore } from './database/OutboxStore';

const databases = createTestDatabases();
jest.setTimeout(60_000);

let smtp: SmtpTestServer;
beforeEach(async () => {
  smtp = await SmtpTestServer.start();
});
afterEach(() => smtp.close());

function recipients(count: number, prefix = 'user'): BulkRecipient[] {
  return Array.from({ length: count }, (_, i) => ({
    to: `${prefix}${i}@example.com`,
    variables: { name: `Name ${i}`, seq: String(i) },
  }));
}

/** How often each recipient got mail: delivery must be exactly once. */
function deliveriesPerRecipient(server: SmtpTestServer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of server.messages) {
    for (const r of m.envelope.rcptTo) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  return counts;
}

function tenantServerSettings(server: SmtpTestServer, extra = {}) {
  return {
    'SMTP.Server': server.host,
    'SMTP.Port': String(server.port),
    'SMTP.Username': 'mailer@tenant.example',
    'SMTP.Password': 'any-password',
    'SMTP.Security': 'none',
    ...extra,
  };
}

describe.each(databases.eachSupportedId())('the outbox on %s', databaseId => {
  async function start(
    options: Parameters<typeof startMailerTestBackend>[2] = {
      defaultServer: { host: '127.0.0.1', port: 0 },
    },
  ) {
    const consumer = createConsumerPlugin();
    const started = await startMailerTestBackend(databases, databaseId, {
      ...options,
      defaultServer: { host: smtp.host, port: smtp.port },
      features: [consumer.plugin, ...(options.features ?? [])],
    });
    return { ...started, mailer: consumer.mailer() };
  }

  it('delivers a personalised bulk mailing once to every recipient, with the body stored once', async () => {
    const { mailer, knex } = await start();
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

    await smtp.waitForMessages(1201, 30_000);
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
    expect(mallory.parsed.subject).toBe('Hello <script>x</script>');

    expect(await knex('mailer_campaigns').count({ n: '*' })).toEqual([
      { n: expect.anything() },
    ]);
    const [{ n: campaigns }] = await knex('mailer_campaigns').count({ n: '*' });
    expect(Number(campaigns)).toBe(1);
    // The pool never opened more connections than allowed.
    expect(smtp.connections.peak).toBeLessThanOrEqual(5);
  });

  it('retries while the server answers 421/451 and delivers each message exactly once when it recovers', async () => {
    let busyUntil = Date.now() + 600;
    smtp.close();
    smtp = await SmtpTestServer.start({
      replies: {
        mailFrom: () =>
          Date.now() < busyUntil
            ? { code: 451, message: '4.3.0 Try again later' }
            : undefined,
        connect: () =>
          Date.now() < busyUntil - 300
            ? { code: 421, message: '4.7.0 Too busy' }
            : undefined,
      },
    });
    const { mailer } = await start();
    busyUntil = Date.now() + 600;
    const { id } = await mailer.send({
      to: 'first@example.com',
      subject: 'one',
      text: '1',
    });
    await mailer.sendBulk({ subject: 'bulk', text: 'x' }, recipients(50));

    const status = await mailer.waitForDelivery(id, { timeoutMs: 20_000 });
    expect(status.state).toBe('sent');
    expect(status.attempts).toBeGreaterThan(1);
    await smtp.waitForMessages(51, 20_000);
    await new Promise(resolve => setTimeout(resolve, 300));
    const counts = deliveriesPerRecipient(smtp);
    expect(counts.size).toBe(51);
    expect([...counts.values()].every(n => n === 1)).toBe(true);
  });

  it('fails the one recipient the server refuses with 550 and delivers the rest', async () => {
    smtp.close();
    smtp = await SmtpTestServer.start({
      replies: {
        rcptTo: address =>
          address === 'user3@example.com'
            ? { code: 550, message: '5.1.1 No such user here' }
            : undefined,
      },
    });
    const { mailer, server } = await start();
    const campaign = await mailer.sendBulk(
      { subject: 's', text: 't' },
      recipients(10),
    );
    await smtp.waitForMessages(9, 10_000);

    let summary: any;
    for (let i = 0; i < 50; i++) {
      summary = (
        await request(server).get('/api/mailer/delivery-summary').expect(200)
      ).body;
      if (
        summary.campaigns[0]?.counts.failed === 1 &&
        summary.campaigns[0]?.counts.sent === 9
      )
        break;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    expect(summary.campaigns[0]).toMatchObject({
      campaignId: campaign.campaignId,
      subject: 's',
      createdBy: 'plugin:consumer',
      counts: { queued: 0, sending: 0, retrying: 0, sent: 9, failed: 1 },
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
  });

  it('picks up messages a crashed worker had claimed once their lease runs out', async () => {
    const knex = await databases.init(databaseId);
    await openDatabase(mockServices.database({ knex }));
    // What a replica that died in the middle of sending leaves behind.
    const now = Date.now();
    await new OutboxStore(knex).createCampaign(
      {
        id: 'c1',
        tenantId: 'default',
        priority: 0,
        template: { subject: 'lost?', text: 'no' },
        now,
      },
      [{ id: 'm1', recipients: { to: ['late@example.com'] } }],
    );
    await knex('mailer_outbox')
      .where({ id: 'm1' })
      .update({
        state: 'sending',
        attempts: 1,
        claim_token: 'dead-worker',
        claimed_at: now,
        lease_until: now + 1500,
      });

    const { mailer } = await start({
      defaultServer: { host: '', port: 0 },
      knex,
    });
    await new Promise(resolve => setTimeout(resolve, 700));
    expect(smtp.messages).toHaveLength(0); // its lease still runs
    const status = await mailer.waitForDelivery('m1', { timeoutMs: 10_000 });
    expect(status).toMatchObject({ state: 'sent', attempts: 2 });
    expect(smtp.messages.map(m => m.envelope.rcptTo)).toEqual([
      ['late@example.com'],
    ]);
  });

  it('loses nothing when a replica stops in the middle of a campaign and another carries on', async () => {
    const first = await start();
    await first.mailer.sendBulk(
      { subject: 'campaign', text: 'x' },
      recipients(600),
    );
    await smtp.waitForMessages(50, 10_000);
    await first.backend.stop();
    const second = await start({
      defaultServer: { host: '', port: 0 },
      knex: first.knex,
    });
    await smtp.waitForMessages(600, 30_000);
    await new Promise(resolve => setTimeout(resolve, 300));
    const counts = deliveriesPerRecipient(smtp);
    expect(counts.size).toBe(600);
    expect([...counts.values()].every(n => n === 1)).toBe(true);
    await second.backend.stop();
  });

  it('shares one database between two replicas without sending anything twice', async () => {
    const first = await start();
    const second = await start({
      defaultServer: { host: '', port: 0 },
      knex: first.knex,
    });
    await Promise.all([
      first.mailer.sendBulk({ subject: 'a', text: 'x' }, recipients(400, 'a')),
      second.mailer.sendBulk({ subject: 'b', text: 'x' }, recipients(400, 'b')),
    ]);
    await smtp.waitForMessages(800, 30_000);
    await new Promise(resolve => setTimeout(resolve, 500));
    const counts = deliveriesPerRecipient(smtp);
    expect(counts.size).toBe(800);
    expect([...counts.values()].every(n => n === 1)).toBe(true);
  });

  it('sends the rest of a campaign through the new server when the settings change', async () => {
    const newServer = await SmtpTestServer.start();
    try {
      const { mailer, server } = await start({
        defaultServer: { host: '', port: 0 },
        delivery: { batchSize: 20 },
      });
      await saveSettings(server, tenantServerSettings(smtp));
      await mailer.sendBulk({ subject: 's', text: 't' }, recipients(300));
      await smtp.waitForMessages(20, 10_000);
      await saveSettings(server, { 'SMTP.Port': String(newServer.port) });
      await new Promise<void>(resolve => {
        const check = () =>
          smtp.messages.length + newServer.messages.length >= 300
            ? resolve()
            : setTimeout(check, 50);
        check();
      });
      expect(newServer.messages.length).toBeGreaterThan(0);
      const all = [...smtp.messages, ...newServer.messages].map(
        m => m.envelope.rcptTo[0],
      );
      expect(new Set(all).size).toBe(300);
      expect(all).toHaveLength(300);
    } finally {
      await newServer.close();
    }
  });

  it("delivers another tenant's password reset before a 10,000-message campaign finishes", async () => {
    const { mailer } = await start({
      defaultServer: { host: '', port: 0 },
      features: [tenantFromCallerModule],
    });
    await mailer.sendBulk(
      { subject: 'newsletter', text: 'x' },
      recipients(10_000),
      { tenantId: 'big' },
    );
    await smtp.waitForMessages(100, 20_000);
    await mailer.send(
      {
        to: 'reset@small.example',
        subject: 'Reset your password',
        text: 'link',
      },
      { tenantId: 'small' },
    );
    await smtp.waitForMessages(10_001, 60_000);
    const order = smtp.messages.findIndex(
      m => m.envelope.rcptTo[0] === 'reset@small.example',
    );
    expect(order).toBeGreaterThan(0);
    expect(order).toBeLessThan(9_000);
  });

  it('fails mail for settings it cannot use after the allowed attempts, instead of looping', async () => {
    const { mailer, server, knex } = await start({
      defaultServer: { host: '', port: 0 },
      delivery: { retry: { maxAttempts: 2, initialDelaySeconds: 0.05 } },
    });
    await saveSettings(server, tenantServerSettings(smtp));
    // As if the key that encrypted the password had been removed from config.
    await knex('mailer_settings')
      .where({ setting_key: 'SMTP.Password' })
      .update({ encryption_key_id: 'retired-key' });

    const { id } = await mailer.send({
      to: 'a@example.com',
      subject: 's',
      text: 't',
    });
    const error = await mailer
      .waitForDelivery(id, { timeoutMs: 10_000 })
      .catch(e => e);

    expect(error.name).toBe('MailDeliveryError');
    expect(error.reply).toMatchObject({
      code: 'ESETTINGS',
      response: expect.stringContaining(
        'key "retired-key", which is not in mailer.encryption.keys',
      ),
    });
    expect(await mailer.getStatus(id)).toMatchObject({
      state: 'failed',
      attempts: 2,
    });
    expect(smtp.messages).toHaveLength(0);
  });

  it("keeps to a tenant's messages-per-minute limit", async () => {
    const { mailer, server } = await start({
      defaultServer: { host: '', port: 0 },
    });
    await saveSettings(
      server,
      tenantServerSettings(smtp, { 'SMTP.RateLimit': '30' }),
    );
    await mailer.sendBulk({ subject: 's', text: 't' }, recipients(45));
    await smtp.waitForMessages(30, 10_000);
    await new Promise(resolve => setTimeout(resolve, 1000));
    expect(smtp.messages).toHaveLength(30);
  });
});
