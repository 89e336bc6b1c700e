import { mockCredentials } from '@backstage/backend-test-utils';
import { SmtpTestServer, startSilentServer } from '@internal/smtp-test-server';
import request from 'supertest';
import {
  createConsumerPlugin,
  tenantFromCallerModule,
} from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { watchQueries } from './__testUtils__/queryWatch';
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
    it('answers a caller waiting for an outcome at once when the backend stops, instead of holding up the shutdown', async () => {
      const hung = await startSilentServer();
      try {
        const consumer = createConsumerPlugin();
        const { backend, server, knex } = await startMailerTestBackend(
          databases,
          databaseId,
          {
            defaultServer: { host: hung.host, port: hung.port },
            features: [consumer.plugin],
          },
        );
        const { id } = await consumer
          .mailer()
          .send({ to: 'ada@example.com', subject: 'Reset', text: 'link' });
        // The route has the request once it reads the message's status.
        const statusRead = watchQueries(
          knex,
          (_sql, bindings) => bindings.includes(id),
          'the status read',
        );
        const waiting = request(server)
          .get(`/api/mailer/messages/${id}?waitMs=20000`)
          .set('Authorization', mockCredentials.service.header())
          .then(response => response);
        await statusRead.next(1);
        statusRead.stop();
        const stopping = Date.now();
        await backend.stop();
        const answer = await waiting;
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ id });
        expect(answer.body.state).not.toMatch(/^(sent|failed)$/);
        // The shutdown timeout (1 s in tests) and some slack, not the 20 s wait.
        expect(Date.now() - stopping).toBeLessThan(6000);
      } finally {
        await hung.close();
      }
    });
  },
);
