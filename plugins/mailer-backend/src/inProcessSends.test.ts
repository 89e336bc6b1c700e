import { InputError, NotFoundError } from '@backstage/errors';
import { SmtpTestServer } from '@internal/smtp-test-server';
import { IncomingMessage } from 'node:http';
import { MailerUnavailableError } from '@elixeum/plugin-mailer-node';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { recipients } from './__testUtils__/outboxHarness';
import { createTestDatabases } from './__testUtils__/testDatabases';

// A plugin in the same backend as the mailer sends through it directly:
// the same checks and answers as over HTTP, without a request or a token.

const databases = createTestDatabases();
jest.setTimeout(30_000);

const closing: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map(s => s.close()));
});

describe.each(databases.eachSupportedId())(
  'sending from the same backend on %s',
  databaseId => {
    async function start() {
      const smtp = await SmtpTestServer.start();
      closing.push(smtp);
      const consumer = createConsumerPlugin();
      const started = await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: smtp.host, port: smtp.port },
        features: [consumer.plugin],
      });
      closing.push({ close: () => started.backend.stop() });
      const requests: string[] = [];
      started.server.on('request', (req: IncomingMessage) =>
        requests.push(`${req.method} ${req.url}`),
      );
      return { ...started, smtp, requests, mailer: consumer.mailer() };
    }

    it('queues, reports and delivers without an HTTP request to the mailer', async () => {
      const { mailer, smtp, requests } = await start();
      const { id } = await mailer.send({
        to: 'ada@example.com',
        subject: 'Reset',
        text: 'x',
      });
      await expect(mailer.waitForDelivery(id)).resolves.toMatchObject({
        id,
        state: 'sent',
      });
      const { accepted } = await mailer.sendBulk(
        { subject: 'Hello {{name}}', text: 'x' },
        recipients(3),
      );
      expect(accepted).toBe(3);
      await smtp.waitForMessages(4);
      expect(smtp.messages.map(m => m.envelope.rcptTo[0]).sort()).toEqual([
        'ada@example.com',
        'user0@example.com',
        'user1@example.com',
        'user2@example.com',
      ]);
      expect(requests).toEqual([]);
    });

    it('answers bad input and unknown messages with the errors the HTTP path gives', async () => {
      const { mailer, knex } = await start();
      await expect(
        mailer.getStatus('4b2a1f8e-0000-4000-8000-000000000000'),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(mailer.getStatus('not an id!')).rejects.toBeInstanceOf(
        InputError,
      );
      await expect(
        mailer.send(
          { to: 'ada@example.com', subject: 's', text: 't' },
          { tenantId: 'x'.repeat(500) },
        ),
      ).rejects.toBeInstanceOf(InputError);
      expect(Number((await knex('mailer_outbox').count({ n: '*' }))[0].n)).toBe(
        0,
      );
    });

    it('tells a failure that is not the caller’s only as a reason to try again, without its content', async () => {
      const { mailer, knex } = await start();
      // The outbox is gone: the database refuses the insert, with SQL and
      // the recipient's address in its message.
      await knex.schema.renameTable('mailer_outbox', 'mailer_outbox_gone');
      const failure = await mailer
        .send({ to: 'secret.person@example.com', subject: 's', text: 't' })
        .catch(error => error);
      expect(failure).toBeInstanceOf(MailerUnavailableError);
      expect(String(failure.message)).not.toMatch(/secret\.person|insert/i);
    });
  },
);
