import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { MAX_MESSAGES_PER_BATCH } from '@elixeum/plugin-mailer-common';
import { MailerClient, MailerService } from '@elixeum/plugin-mailer-node';
import { SmtpTestServer } from '@internal/smtp-test-server';
import request from 'supertest';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { createTestDatabases } from './__testUtils__/testDatabases';

// sendMany: many messages in few requests, each queued as `send` would
// queue it, each refused by itself.

const databases = createTestDatabases();
jest.setTimeout(60_000);

const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map(close => close()));
});

const reset = (to: string, subject = 'Reset') => ({
  to,
  subject,
  text: 'Your link',
});

describe.each(databases.eachSupportedId())('sendMany on %s', databaseId => {
  async function start() {
    const smtp = await SmtpTestServer.start({ keepLast: 2000 });
    closing.push(() => smtp.close());
    const consumer = createConsumerPlugin();
    // A plugin that reaches the mailer over HTTP, as one in another backend.
    const remote: { client?: MailerService } = {};
    const remoteConsumer = createBackendPlugin({
      pluginId: 'remote',
      register(env) {
        env.registerInit({
          deps: { auth: coreServices.auth, discovery: coreServices.discovery },
          async init({ auth, discovery }) {
            remote.client = new MailerClient({ auth, discovery });
          },
        });
      },
    });
    const started = await startMailerTestBackend(databases, databaseId, {
      defaultServer: { host: smtp.host, port: smtp.port },
      features: [consumer.plugin, remoteConsumer],
    });
    return {
      ...started,
      smtp,
      inProcess: consumer.mailer(),
      overHttp: remote.client!,
    };
  }

  it('queues each message as send would, and refuses a malformed one, a reused key or a tenant not served by itself', async () => {
    const { inProcess, knex, smtp } = await start();
    const first = await inProcess.send(reset('ada@example.com'), {
      idempotencyKey: 'reset-ada',
    });
    const results = await inProcess.sendMany([
      { message: reset('grace@example.com') },
      { message: reset('not an address') },
      // The key of the first send, for another message.
      {
        message: reset('ada@example.com', 'Another'),
        options: { idempotencyKey: 'reset-ada' },
      },
      // The key of the first send, for the same message: its id again.
      {
        message: reset('ada@example.com'),
        options: { idempotencyKey: 'reset-ada' },
      },
      { message: reset('linus@example.com'), options: { priority: 'bulk' } },
      // A tenant this deployment does not serve.
      {
        message: reset('mallory@example.com'),
        options: { tenantId: 'other' },
      },
    ]);
    expect(results).toEqual([
      { id: expect.any(String) },
      { error: expect.objectContaining({ name: 'InputError' }) },
      { error: expect.objectContaining({ name: 'ConflictError' }) },
      { id: first.id },
      { id: expect.any(String) },
      {
        error: expect.objectContaining({
          name: 'InputError',
          message: expect.stringContaining('cannot send for tenant "other"'),
        }),
      },
    ]);
    await smtp.waitForMessages(3);
    expect(smtp.messages.map(m => m.envelope.rcptTo[0]).sort()).toEqual([
      'ada@example.com',
      'grace@example.com',
      'linus@example.com',
    ]);
    const rows = await knex('mailer_outbox').select('id', 'priority');
    expect(rows).toHaveLength(3);
    const linus = (results[4] as { id: string }).id;
    expect(Number(rows.find(r => r.id === linus)!.priority)).toBe(1);
  });

  it(`sends more than ${MAX_MESSAGES_PER_BATCH} messages over HTTP in several requests, and queues nothing twice when called again`, async () => {
    const { overHttp, knex, smtp } = await start();
    const count = MAX_MESSAGES_PER_BATCH + 100;
    const items = Array.from({ length: count }, (_, i) => ({
      message: reset(`user-${i}@example.com`),
      options: { idempotencyKey: `notification-7:${i}` },
    }));
    const results = await overHttp.sendMany(items);
    expect(results.every(r => 'id' in r)).toBe(true);
    // A caller that did not hear the answer calls again: the same ids.
    const again = await overHttp.sendMany(items);
    expect(again).toEqual(results);
    await smtp.waitForMessages(count, 30_000);
    const [{ n }] = await knex('mailer_outbox').count({ n: '*' });
    expect(Number(n)).toBe(count);
    expect(new Set(smtp.messages.map(m => m.envelope.rcptTo[0])).size).toBe(
      count,
    );
  });

  it(`refuses a request of more than ${MAX_MESSAGES_PER_BATCH} messages, or without keys, with 400 and queues nothing`, async () => {
    const { server, knex } = await start();
    const message = reset('ada@example.com');
    const tooMany = Array.from(
      { length: MAX_MESSAGES_PER_BATCH + 1 },
      (_, i) => ({ idempotencyKey: `k-${i}`, message }),
    );
    for (const messages of [tooMany, [{ message }], []]) {
      const refused = await request(server)
        .post('/api/mailer/messages/batch')
        .set('Authorization', mockCredentials.service.header())
        .send({ messages });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(/messages/);
    }
    const [{ n }] = await knex('mailer_outbox').count({ n: '*' });
    expect(Number(n)).toBe(0);
  });
});
