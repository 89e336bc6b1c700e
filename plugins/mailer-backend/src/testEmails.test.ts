import { mockCredentials } from '@backstage/backend-test-utils';
import { SmtpTestServer } from '@internal/smtp-test-server';
import request from 'supertest';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { watchQueries } from './__testUtils__/queryWatch';
import { createTestDatabases } from './__testUtils__/testDatabases';

const databases = createTestDatabases();
const ADMIN = 'user:default/ada';

let smtp: SmtpTestServer;
beforeEach(async () => {
  smtp = await SmtpTestServer.start();
});
afterEach(() => smtp.close());

describe.each(databases.eachSupportedId())(
  'a test email from the settings card on %s',
  databaseId => {
    it('goes through the default mailbox while the settings are incomplete, is listed in the delivery view, and is never sent again', async () => {
      const { server, knex } = await startMailerTestBackend(
        databases,
        databaseId,
        { defaultServer: { host: smtp.host, port: smtp.port } },
      );
      const outboxQueries = watchQueries(knex, /mailer_outbox/i, 'outbox');
      const asAdmin = (req: request.Test) =>
        req.set('Authorization', mockCredentials.user.header(ADMIN));

      const tested = await asAdmin(
        request(server).post('/api/mailer/connection-test'),
      )
        .send({ sendTo: 'admin@tenant.example' })
        .expect(200);

      expect(tested.body).toMatchObject({
        outcome: 'success',
        server: 'default',
        messageSent: true,
      });
      expect(smtp.messages).toHaveLength(1);
      expect(smtp.messages[0].envelope.rcptTo).toEqual([
        'admin@tenant.example',
      ]);
      // It is in the outbox as sent, so no worker can claim it…
      const rows = await knex('mailer_outbox').select('state');
      expect(rows.map(row => row.state)).toEqual(['sent']);
      // …and after the workers have been round their loop a few more
      // times, the server still has the one message.
      await outboxQueries.next(5);
      outboxQueries.stop();
      expect(smtp.messages).toHaveLength(1);

      const { body: summary } = await asAdmin(
        request(server).get('/api/mailer/delivery-summary'),
      ).expect(200);
      expect(summary.campaigns).toEqual([
        expect.objectContaining({
          kind: 'test',
          subject: 'Test message from your portal',
          createdBy: ADMIN,
          counts: expect.objectContaining({ sent: 1, queued: 0, failed: 0 }),
        }),
      ]);
      expect(summary.singleMessages.counts.sent).toBe(0);
      const sentToday = summary.hourly.reduce(
        (sum: number, hour: { sent: number }) => sum + hour.sent,
        0,
      );
      expect(sentToday).toBe(1);
    });
  },
);
