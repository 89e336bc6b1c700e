import { SmtpTestServer } from '@internal/smtp-test-server';
import {
  createConsumerPlugin,
  tenantFromCallerModule,
} from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { createTestDatabases } from './__testUtils__/testDatabases';

const databases = createTestDatabases();

let smtp: SmtpTestServer;
beforeAll(async () => {
  smtp = await SmtpTestServer.start();
});
afterAll(() => smtp.close());

describe.each(databases.eachSupportedId())(
  'the status of a message on %s',
  databaseId => {
    it('is only found for the tenant the message was sent for', async () => {
      const consumer = createConsumerPlugin();
      await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: smtp.host, port: smtp.port },
        features: [consumer.plugin, tenantFromCallerModule],
      });
      const mailer = consumer.mailer();
      const { id } = await mailer.send(
        { to: 'ada@acme.example', subject: 'Reset', text: 'link' },
        { tenantId: 'acme' },
      );

      await expect(
        mailer.waitForDelivery(id, { tenantId: 'acme', timeoutMs: 10_000 }),
      ).resolves.toMatchObject({ id, state: 'sent' });
      for (const tenantId of ['globex', undefined]) {
        const error = await mailer.getStatus(id, { tenantId }).catch(e => e);
        expect(error).toMatchObject({
          name: 'NotFoundError',
          message: `No queued message ${id}`,
        });
      }
    });
  },
);
