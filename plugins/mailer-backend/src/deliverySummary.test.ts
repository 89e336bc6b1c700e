import { mockCredentials } from '@backstage/backend-test-utils';
import { SmtpTestServer } from '@internal/smtp-test-server';
import request from 'supertest';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { permissionsAllowing } from './__testUtils__/permissionsAllowing';

const databases = createTestDatabases();
const GONE = 'gone.person@customer.example';

let smtp: SmtpTestServer;
beforeEach(async () => {
  smtp = await SmtpTestServer.start({
    replies: {
      rcptTo: address =>
        address === GONE
          ? { code: 550, message: `5.1.1 <${GONE}>: no such user` }
          : undefined,
    },
  });
});
afterEach(() => smtp.close());

describe.each(databases.eachSupportedId())(
  'the delivery summary on %s',
  databaseId => {
    /** A backend with one failed password reset; the user holds `allowed`. */
    async function startWithAFailure(...allowed: string[]) {
      const consumer = createConsumerPlugin();
      const { server } = await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: smtp.host, port: smtp.port },
        features: [
          consumer.plugin,
          permissionsAllowing(name => allowed.includes(name)),
        ],
      });
      const mailer = consumer.mailer();
      const { id } = await mailer.send({
        to: GONE,
        subject: `Reset the password of ${GONE}`,
        text: 'Use this link',
      });
      await expect(
        mailer.waitForDelivery(id, { timeoutMs: 10_000 }),
      ).rejects.toMatchObject({ name: 'MailDeliveryError' });
      const summary = () =>
        request(server)
          .get('/api/mailer/delivery-summary')
          .set(
            'Authorization',
            mockCredentials.user.header('user:default/ada'),
          );
      return { server, summary };
    }

    it('needs mailer.delivery.read; reading the settings is not enough', async () => {
      const { summary } = await startWithAFailure('mailer.settings.read');
      const response = await summary().expect(403);
      expect(response.body.error.message).toBe(
        'Missing permission mailer.delivery.read',
      );
      expect(response.text).not.toContain('gone.person');
    });

    it('masks recipients, also in replies and subjects, for readers who do not manage the settings', async () => {
      const { summary } = await startWithAFailure('mailer.delivery.read');
      const response = await summary().expect(200);
      expect(response.text).not.toContain('gone.person');
      expect(response.body.recentFailures).toEqual([
        expect.objectContaining({
          recipients: ['g***@customer.example'],
          reply: expect.objectContaining({
            responseCode: 550,
            response: expect.stringContaining('<g***@customer.example>'),
          }),
        }),
      ]);
      expect(response.body.recentFailures[0].subject).toBe(
        'Reset the password of g***@customer.example',
      );
    });

    it('shows recipients in full to those who also manage the settings', async () => {
      const { summary } = await startWithAFailure(
        'mailer.delivery.read',
        'mailer.settings.manage',
      );
      const response = await summary().expect(200);
      expect(response.body.recentFailures[0].recipients).toEqual([GONE]);
    });

    it('counts a single message on the line of single messages and in the current hour, not as a mailing', async () => {
      const { summary } = await startWithAFailure('mailer.delivery.read');
      const { body } = await summary().expect(200);
      expect(body.campaigns).toEqual([]);
      expect(body.singleMessages.counts).toMatchObject({ sent: 0, failed: 1 });
      expect(body.hourly).toHaveLength(24);
      // The last hours: the message may have failed just before the hour turned.
      expect(body.hourly.slice(-2)).toEqual(
        expect.arrayContaining([expect.objectContaining({ failed: 1 })]),
      );
      expect(body.recentFailures[0].kind).toBe('single');
    });

    it('registers mailer.delivery.read with the permission framework', async () => {
      const { server } = await startWithAFailure();
      const metadata = await request(server)
        .get('/api/mailer/.well-known/backstage/permissions/metadata')
        .expect(200);
      expect(
        metadata.body.permissions.map((p: { name: string }) => p.name),
      ).toEqual(
        expect.arrayContaining([
          'mailer.settings.read',
          'mailer.settings.manage',
          'mailer.delivery.read',
        ]),
      );
    });
  },
);
