import { mockCredentials } from '@backstage/backend-test-utils';
import {
  HostileSmtpServer,
  HostileStage,
  SmtpTestServer,
} from '@internal/smtp-test-server';
import request from 'supertest';
import {
  createConsumerPlugin,
  tenantFromCallerModule,
} from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import {
  eventually,
  saveTenantSettings,
  tenantServerSettings,
} from './__testUtils__/outboxHarness';
import { createTestDatabases } from './__testUtils__/testDatabases';

// Servers nobody controls say anything: whatever bytes a tenant's server
// answers with, every outcome is recorded, and nobody else's mail waits.

const databases = createTestDatabases();
jest.setTimeout(60_000);

/** Replies as bytes a hostile server might send, each a valid SMTP reply start. */
const HOSTILE_TEXTS: Array<[string, (code: string) => Buffer]> = [
  ['a NUL byte', code => Buffer.from(`${code} x\0y\r\n`, 'latin1')],
  [
    'invalid UTF-8',
    code =>
      Buffer.concat([
        Buffer.from(`${code} bad `),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80]),
        Buffer.from(' bytes\r\n'),
      ]),
  ],
  [
    'a 4-byte character',
    code => Buffer.from(`${code} pile of \u{1f4a9} here\r\n`, 'utf8'),
  ],
  ['a 100 kB line', code => Buffer.from(`${code} ${'z'.repeat(100_000)}\r\n`)],
  [
    'ANSI escapes',
    code => Buffer.from(`${code} \x1b[31mred\x1b[0m \x1b]0;title\x07\r\n`),
  ],
];

const closing: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map(s => s.close()));
});

describe.each(databases.eachSupportedId())(
  'hostile servers on %s',
  databaseId => {
    async function start() {
      const defaultServer = await SmtpTestServer.start();
      closing.push(defaultServer);
      const consumer = createConsumerPlugin();
      const started = await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: defaultServer.host, port: defaultServer.port },
        features: [consumer.plugin, tenantFromCallerModule],
        delivery: { connectionTimeout: '1s', socketTimeout: '1s' },
      });
      closing.push({ close: () => started.backend.stop() });
      return { ...started, defaultServer, mailer: consumer.mailer() };
    }

    async function hostile(stage: HostileStage, bytes: Buffer) {
      const server = await HostileSmtpServer.start((at, argument) =>
        at === stage && !argument.startsWith('ok') ? bytes : undefined,
      );
      closing.push(server);
      return server;
    }

    it('gives up on servers that trickle a byte now and then, at EHLO and after the data, and serves everyone else meanwhile', async () => {
      const { server, mailer, defaultServer } = await start();
      const atEhlo = await HostileSmtpServer.start(stage =>
        stage === 'ehlo' ? { drip: '250-still thinking\r\n' } : undefined,
      );
      const atEnd = await HostileSmtpServer.start(stage =>
        stage === 'end' ? { drip: '250-still thinking\r\n' } : undefined,
      );
      closing.push(atEhlo, atEnd);
      for (const [tenant, smtp] of [
        ['ehlo', atEhlo],
        ['end', atEnd],
      ] as const) {
        await saveTenantSettings(server, tenant, {
          ...tenantServerSettings(smtp),
          'SMTP.AuthMethod': 'none',
        });
      }
      const stuckAtEhlo = await mailer.send(
        { to: 'a@example.com', subject: 's', text: 't' },
        { tenantId: 'ehlo' },
      );
      const stuckAtEnd = await mailer.send(
        { to: 'b@example.com', subject: 's', text: 't' },
        { tenantId: 'end' },
      );
      const other = await mailer.send(
        { to: 'c@example.com', subject: 's', text: 't' },
        { tenantId: 'healthy' },
      );
      await expect(
        mailer.waitForDelivery(other.id, { tenantId: 'healthy' }),
      ).resolves.toMatchObject({ state: 'sent' });
      expect(defaultServer.messages).toHaveLength(1);
      // The socket timeout is 1 s here and the drip never lets it pass: only
      // the deadlines of the whole dialogue end these.
      await eventually(
        async () =>
          (await mailer.getStatus(stuckAtEnd.id, { tenantId: 'end' })).lastReply
            ?.code === 'ETIMEDOUT',
        20_000,
        'the trickled message to be given up',
      );
      await eventually(
        async () =>
          (await mailer.getStatus(stuckAtEhlo.id, { tenantId: 'ehlo' }))
            .lastReply?.code === 'ETIMEDOUT',
        20_000,
        'the trickled greeting to be given up',
      );
    });

    it.each(HOSTILE_TEXTS)(
      'records every outcome when servers answer with %s, at the greeting, a recipient and the message',
      async (_what, reply) => {
        const { server, knex, mailer, defaultServer } = await start();
        const atGreeting = await hostile('greeting', reply('554'));
        const atRecipient = await hostile('rcpt', reply('550'));
        const atMessage = await hostile('end', reply('554'));
        await saveTenantSettings(server, 'greeting', {
          ...tenantServerSettings(atGreeting),
          'SMTP.AuthMethod': 'none',
        });
        await saveTenantSettings(server, 'recipient', {
          ...tenantServerSettings(atRecipient),
          'SMTP.AuthMethod': 'none',
        });
        await saveTenantSettings(server, 'message', {
          ...tenantServerSettings(atMessage),
          'SMTP.AuthMethod': 'none',
        });

        const paused = await mailer.send(
          { to: 'a@example.com', subject: 's', text: 't' },
          { tenantId: 'greeting' },
        );
        const refused = await mailer.send(
          {
            to: ['ok1@example.com', 'no@example.com'],
            subject: 's',
            text: 't',
          },
          { tenantId: 'recipient' },
        );
        const failed = await mailer.send(
          { to: 'b@example.com', subject: 's', text: 't' },
          { tenantId: 'message' },
        );
        // Everyone else's mail, queued after the hostile replies.
        const others = [];
        for (let i = 0; i < 5; i++) {
          others.push(
            await mailer.send(
              { to: `other${i}@example.com`, subject: 's', text: 't' },
              { tenantId: 'healthy' },
            ),
          );
        }

        for (const { id } of others) {
          await expect(
            mailer.waitForDelivery(id, {
              timeoutMs: 15_000,
              tenantId: 'healthy',
            }),
          ).resolves.toMatchObject({ state: 'sent' });
        }
        expect(defaultServer.messages).toHaveLength(5);
        await expect(
          mailer.waitForDelivery(failed.id, { tenantId: 'message' }),
        ).rejects.toThrow();
        expect(
          await mailer.getStatus(failed.id, { tenantId: 'message' }),
        ).toMatchObject({ state: 'failed', lastReply: { responseCode: 554 } });
        const partly = await mailer.waitForDelivery(refused.id, {
          tenantId: 'recipient',
        });
        expect(partly.state).toBe('partial');
        expect(partly.recipients).toEqual([
          { address: 'ok1@example.com', state: 'sent' },
          expect.objectContaining({
            address: 'no@example.com',
            state: 'failed',
          }),
        ]);

        // The server that greets with garbage is paused, with its reply
        // made safe; its message waits for it.
        let pause: any;
        await eventually(async () => {
          const { body } = await request(server)
            .get('/api/mailer/delivery-summary')
            .set(
              'Authorization',
              mockCredentials.user.header('user:default/greeting'),
            );
          pause = body.pause;
          return pause !== undefined;
        });
        expect(
          await mailer.getStatus(paused.id, { tenantId: 'greeting' }),
        ).toMatchObject({
          state: expect.stringMatching(/^(queued|retrying|sending)$/),
        });

        const stored = await knex('mailer_outbox').select(
          'id',
          'state',
          'last_reply',
          'recipient_results',
        );
        // Every outcome is recorded. The paused server is probed again once
        // its short test pause ends, so its message may be on its way right
        // now; between probes it is given back.
        expect(
          stored.filter(row => row.state === 'sending' && row.id !== paused.id),
        ).toEqual([]);
        await eventually(
          async () =>
            (await knex('mailer_outbox').where({ id: paused.id }).first())
              .state !== 'sending',
          10_000,
          'the paused message to be given back between probes',
        );
        const texts = [
          ...stored.map(
            row => `${row.last_reply ?? ''}${row.recipient_results ?? ''}`,
          ),
          pause.reason,
        ].join('\n');
        // eslint-disable-next-line no-control-regex
        expect(texts).not.toMatch(/[\x00\x1b\ufffe\uffff]|[\ud800-\udfff]/);
        expect(
          Math.max(...stored.map(r => (r.last_reply ?? '').length)),
        ).toBeLessThanOrEqual(2000);
      },
    );
  },
);
