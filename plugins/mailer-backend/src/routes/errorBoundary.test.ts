import { mockCredentials } from '@backstage/backend-test-utils';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  captured,
  startMailerTestBackend,
} from '../__testUtils__/mailerTestBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

const databases = createTestDatabases();
const VICTIM = 'victim.person@example.com';

describe.each(databases.eachSupportedId())(
  'errors that are not the caller’s, on %s',
  databaseId => {
    /** A backend whose database lost a table under it: every query on it fails for real. */
    async function startWithout(table: string) {
      const started = await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: '127.0.0.1', port: 1 },
      });
      await started.knex.schema.renameTable(table, `${table}_gone`);
      captured.logLines.length = 0;
      return started;
    }

    /** Checks a 500 and everything logged: a reference and a code, no SQL, no address. */
    function expectNoContent(
      response: request.Response,
      subject: Record<string, string> = {},
    ) {
      expect(response.status).toBe(500);
      expect(response.body.error).toEqual({
        ...subject,
        name: 'Error',
        message: expect.stringMatching(
          /^The mailer could not complete the request; quote reference [0-9a-f-]{36} when reporting it$/,
        ),
        code: expect.stringMatching(/^[A-Za-z0-9_.-]+$/),
        reference: expect.any(String),
      });
      const logged = captured.logLines.join('\n');
      expect(logged).toContain(response.body.error.reference);
      for (const text of [response.text, logged]) {
        expect(text).not.toContain(VICTIM);
        expect(text).not.toMatch(
          /insert into|select |mailer_(campaigns|settings)/i,
        );
      }
    }

    it('answers a failed insert of a message with a reference, without SQL or addresses', async () => {
      const { server } = await startWithout('mailer_campaigns');
      const response = await request(server)
        .post('/api/mailer/messages')
        .set('Authorization', mockCredentials.service.header())
        .send({
          message: {
            to: VICTIM,
            subject: `Reset the password of ${VICTIM}`,
            text: 'Use this link',
          },
        });
      expect(response.status).toBe(500);
      expectNoContent(response);
    });

    it('answers a failed delivery summary the same way', async () => {
      const { server } = await startWithout('mailer_campaigns');
      const response = await request(server).get(
        '/api/mailer/delivery-summary',
      );
      expect(response.status).toBe(500);
      expectNoContent(response);
    });

    it('names the campaign a failed request was about, in the answer and the log', async () => {
      const { server } = await startWithout('mailer_campaigns');
      const campaignId = randomUUID();
      const response = await request(server)
        .post(`/api/mailer/campaigns/${campaignId}/recipients`)
        .set('Authorization', mockCredentials.service.header())
        .send({ recipients: [{ to: VICTIM }] });
      expectNoContent(response, { campaignId });
      expect(
        captured.logLines.some(
          line =>
            line.includes(response.body.error.reference) &&
            line.includes(campaignId),
        ),
      ).toBe(true);
    });

    it('records a failed settings change in the audit log without the SQL or its values', async () => {
      const { server } = await startWithout('mailer_settings');
      captured.auditEvents.length = 0;
      const response = await request(server)
        .put('/api/mailer/settings')
        .send({ values: { 'SMTP.From': VICTIM } });
      expectNoContent(response);
      const failed = captured.auditEvents.find(e => e.status === 'failed');
      expect(failed?.eventId).toBe('settings-update');
      expect(failed?.error).toBeDefined();
      expect(failed?.error).not.toMatch(/select |insert into|mailer_settings/i);
      expect(JSON.stringify(captured.auditEvents)).not.toContain(VICTIM);
    });
  },
);
