import {
  coreServices,
  createBackendPlugin,
  DiscoveryService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { MailerClient, MailerService } from '@elixeum/plugin-mailer-node';
import { SmtpTestServer } from '@internal/smtp-test-server';
import { Knex } from 'knex';
import { createServer, request as httpRequest, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import {
  createConsumerPlugin,
  tenantFromCallerModule,
} from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { eventually } from './__testUtils__/outboxHarness';
import { createTestDatabases } from './__testUtils__/testDatabases';

// Single sends with an Idempotency-Key: a send repeated with the same key
// (a retry after a lost answer, an event handled twice) is queued once.

const databases = createTestDatabases();
jest.setTimeout(60_000);

const HOUR = 3_600_000;
const message = { to: 'ada@example.com', subject: 'Reset', text: 'Your link' };
const service = mockCredentials.service.header();

const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map(close => close()));
});

/**
 * A proxy in front of the mailer backend that loses the answer to the
 * first `POST /messages`: the backend queued it, the caller sees the
 * connection drop, as behind a load balancer that timed out.
 */
async function startLossyProxy(target: () => Promise<string>) {
  const sends: Array<{ key?: string }> = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk);
    const isSend = req.method === 'POST' && req.url === '/messages';
    if (isSend) sends.push({ key: req.headers['idempotency-key'] as string });
    const upstream = httpRequest(`${await target()}${req.url}`, {
      method: req.method,
      headers: req.headers,
    });
    upstream.on('response', answer => {
      if (isSend && sends.length === 1) {
        // Read to the end, so the backend is done, then drop it.
        answer.resume();
        answer.on('end', () => req.socket.destroy());
        return;
      }
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.end(Buffer.concat(chunks));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  closing.push(
    () => new Promise(resolve => server.close(() => resolve(undefined))),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, sends };
}

describe.each(databases.eachSupportedId())(
  'idempotent sends on %s',
  databaseId => {
    async function start() {
      const smtp = await SmtpTestServer.start();
      closing.push(() => smtp.close());
      const consumer = createConsumerPlugin();
      // A consumer whose client reaches the mailer through a lossy proxy;
      // and the scheduler (the mock shares its tasks between plugins).
      const lossy: {
        client?: MailerService;
        sends?: Array<{ key?: string }>;
        scheduler?: SchedulerService;
      } = {};
      const lossyConsumer = createBackendPlugin({
        pluginId: 'lossy',
        register(env) {
          env.registerInit({
            deps: {
              auth: coreServices.auth,
              discovery: coreServices.discovery,
              scheduler: coreServices.scheduler,
            },
            async init({ auth, discovery, scheduler }) {
              lossy.scheduler = scheduler;
              const proxy = await startLossyProxy(() =>
                discovery.getBaseUrl('mailer'),
              );
              const viaProxy: DiscoveryService = {
                getBaseUrl: async () => proxy.url,
                getExternalBaseUrl: async () => proxy.url,
              };
              lossy.client = new MailerClient({ auth, discovery: viaProxy });
              lossy.sends = proxy.sends;
            },
          });
        },
      });
      const started = await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: smtp.host, port: smtp.port },
        features: [
          consumer.plugin,
          lossyConsumer,
          tenantFromCallerModule,
          // Tasks run when the test says so.
          mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
        ],
      });
      return {
        ...started,
        smtp,
        scheduler: lossy.scheduler!,
        mailer: consumer.mailer(),
        lossy: { client: lossy.client!, sends: lossy.sends! },
      };
    }

    function send(
      server: Server,
      body: object,
      key?: string,
      authorization = service,
    ) {
      const sending = request(server)
        .post('/api/mailer/messages')
        .set('Authorization', authorization);
      if (key !== undefined) sending.set('Idempotency-Key', key);
      return sending.send(body);
    }

    const count = async (knex: Knex, table: string) => {
      const [{ n }] = await knex(table).count({ n: '*' });
      return Number(n);
    };

    const sentAll = (knex: Knex) =>
      eventually(
        async () =>
          (await knex('mailer_outbox').whereNot({ state: 'sent' })).length ===
          0,
        20_000,
        'every message sent',
      );

    it('queues a message once for a key sent again, before and after delivery, and answers each time with its id', async () => {
      const { server, knex, smtp } = await start();
      const first = await send(server, { message }, 'reset-42').expect(202);
      const again = await send(server, { message }, 'reset-42').expect(202);
      expect(again.body).toEqual(first.body);
      await smtp.waitForMessages(1);
      await sentAll(knex);
      const later = await send(server, { message }, 'reset-42').expect(202);
      expect(later.body).toEqual(first.body);

      const rows = await knex('mailer_outbox').select('id');
      expect(rows.map(r => r.id)).toEqual([first.body.id]);
      expect(smtp.messages).toHaveLength(1);
      // Without a key, each send is a message of its own.
      await send(server, { message }).expect(202);
      await send(server, { message }).expect(202);
      expect(await count(knex, 'mailer_outbox')).toBe(3);
    });

    it('refuses the key for another message with 409, and queues nothing', async () => {
      const { server, knex } = await start();
      await send(server, { message }, 'k').expect(202);
      for (const other of [
        { message: { ...message, subject: 'Another' } },
        { message, priority: 'bulk' },
      ]) {
        const refused = await send(server, other, 'k').expect(409);
        expect(refused.body.error).toMatchObject({
          name: 'ConflictError',
          message: expect.stringContaining(
            'Idempotency-Key was used for another message',
          ),
        });
      }
      expect(await count(knex, 'mailer_outbox')).toBe(1);
      expect(await count(knex, 'mailer_campaigns')).toBe(1);
    });

    it('keeps the keys of each tenant and of each calling plugin apart', async () => {
      const { server, knex } = await start();
      const other = mockCredentials.service.header({
        onBehalfOf: mockCredentials.service('plugin:other'),
        targetPluginId: 'mailer',
      });
      const ids = new Set<string>();
      for (const [tenantId, caller] of [
        ['alpha', service],
        ['beta', service],
        ['alpha', other],
      ]) {
        const sent = await send(server, { tenantId, message }, 'k', caller);
        expect(sent.status).toBe(202);
        ids.add(sent.body.id);
      }
      expect(ids.size).toBe(3);
      expect(await count(knex, 'mailer_outbox')).toBe(3);
    });

    // Concurrent on PostgreSQL and MySQL: all but one lose the race on the
    // key's primary key and read the winner's id.
    it('queues one message for ten sends with the same key at once, and answers all with its id', async () => {
      const { server, knex, smtp } = await start();
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => send(server, { message }, 'once')),
      );
      expect(answers.map(a => a.status)).toEqual(Array(10).fill(202));
      expect(new Set(answers.map(a => a.body.id)).size).toBe(1);
      expect(await count(knex, 'mailer_outbox')).toBe(1);
      await smtp.waitForMessages(1);
      await sentAll(knex);
      expect(smtp.messages).toHaveLength(1);
    });

    it('forgets a key after 24 hours: a late repeat is queued anew, and the clean-up task deletes old keys', async () => {
      const { server, knex, scheduler } = await start();
      const age = (key: string, ms: number) =>
        knex('mailer_send_keys')
          .where({ idempotency_key: key })
          .update({ created_at: knex.raw('created_at - ?', [ms]) });
      const keys = async () =>
        (await knex('mailer_send_keys').select('idempotency_key'))
          .map(r => r.idempotency_key)
          .sort();

      const first = await send(server, { message }, 'late').expect(202);
      await age('late', 25 * HOUR);
      // Before the clean-up ran: the old key no longer stands.
      const anew = await send(server, { message }, 'late').expect(202);
      expect(anew.body.id).not.toBe(first.body.id);

      await send(server, { message }, 'old').expect(202);
      await send(server, { message }, 'recent').expect(202);
      await age('old', 25 * HOUR);
      await age('recent', 23 * HOUR);
      await scheduler.triggerTask('mailer-outbox-cleanup');
      expect(await keys()).toEqual(['late', 'recent']);
      const recent = await send(server, { message }, 'recent').expect(202);
      expect(await count(knex, 'mailer_outbox')).toBe(4);
      expect(
        (await knex('mailer_outbox').where({ id: recent.body.id })).length,
      ).toBe(1);
    });

    it('refuses a bad Idempotency-Key with 400 naming the header, and queues nothing', async () => {
      const { server, knex } = await start();
      for (const bad of ['', 'x'.repeat(256), 'clé']) {
        const refused = await send(server, { message }, bad).expect(400);
        expect(refused.body.error.message).toContain(
          'Invalid Idempotency-Key header',
        );
        expect(refused.body.error.message).not.toContain(bad || 'never');
      }
      expect(await count(knex, 'mailer_outbox')).toBe(0);
    });

    it('mailerServiceRef: sends again with the same key when the answer was lost, and the message is queued once', async () => {
      const { knex, smtp, lossy } = await start();
      const { id } = await lossy.client.send(message);
      expect(lossy.sends).toHaveLength(2);
      expect(lossy.sends[0].key).toMatch(/^[0-9a-f-]{36}$/);
      expect(lossy.sends[1].key).toBe(lossy.sends[0].key);
      const rows = await knex('mailer_outbox').select('id');
      expect(rows.map(r => r.id)).toEqual([id]);
      await smtp.waitForMessages(1);
      await sentAll(knex);
      expect(smtp.messages).toHaveLength(1);
    });

    it("mailerServiceRef: a plugin's own key queues once, and another message under it is a ConflictError", async () => {
      const { knex, mailer } = await start();
      const options = { idempotencyKey: 'order-1001-confirmation' };
      const first = await mailer.send(message, options);
      expect(await mailer.send(message, options)).toEqual(first);
      await expect(
        mailer.send({ ...message, text: 'Other' }, options),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      await expect(
        mailer.send(message, { idempotencyKey: 'tab\there' }),
      ).rejects.toMatchObject({ name: 'InputError' });
      expect(await count(knex, 'mailer_outbox')).toBe(1);
    });
  },
);
