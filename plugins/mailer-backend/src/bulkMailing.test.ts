import { mockCredentials } from '@backstage/backend-test-utils';
import { BulkRecipient } from '@elixeum/plugin-mailer-common';
import { startSilentServer } from '@internal/smtp-test-server';
import request from 'supertest';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { createTestDatabases } from './__testUtils__/testDatabases';

/** 1,500 recipients, then the source fails, as a database cursor can. */
async function* failingRecipients(): AsyncIterable<BulkRecipient> {
  for (let i = 0; i < 1500; i++) yield { to: `r${i}@example.com` };
  throw new Error('The member list could not be read');
}

// The bulk-mailing protocol between mailerServiceRef and the backend: batches
// that must be sent again are queued once, and a mailing whose recipient
// list fails half-way is withdrawn.

const databases = createTestDatabases();
jest.setTimeout(60_000);

describe.each(databases.eachSupportedId())('bulk mailing on %s', databaseId => {
  async function start() {
    // A server that never answers: nothing leaves while the test looks.
    const silent = await startSilentServer();
    const consumer = createConsumerPlugin();
    const started = await startMailerTestBackend(databases, databaseId, {
      defaultServer: { host: silent.host, port: silent.port },
      features: [consumer.plugin],
    });
    return {
      ...started,
      mailer: consumer.mailer(),
      close: async () => {
        await started.backend.stop();
        await silent.close();
      },
    };
  }

  it('withdraws a campaign whose recipient list fails half-way, and rejects with that failure', async () => {
    const { mailer, knex, server, close } = await start();
    try {
      await expect(
        mailer.sendBulk({ subject: 'news', text: 'x' }, failingRecipients()),
      ).rejects.toThrow('The member list could not be read');

      const [campaign] = await knex('mailer_campaigns').select();
      expect(campaign.cancelled_at).not.toBeNull();
      const waiting = await knex('mailer_outbox').where({ state: 'waiting' });
      expect(waiting).toEqual([]);
      // Only what a worker had already taken is left, at most a window
      // (maxConnections × windowPerConnection, 5 × 20 by default).
      const [{ n }] = await knex('mailer_outbox').count({ n: '*' });
      expect(Number(n)).toBeLessThanOrEqual(100);

      const more = await request(server)
        .post(`/api/mailer/campaigns/${campaign.id}/recipients`)
        .set('Authorization', mockCredentials.service.header())
        .send({ seq: 9, recipients: [{ to: 'late@example.com' }] });
      expect(more.status).toBe(409);
    } finally {
      await close();
    }
  });

  it('queues a batch once, however often it is sent with the same seq', async () => {
    const { knex, server, close } = await start();
    try {
      const service = mockCredentials.service.header();
      const created = await request(server)
        .post('/api/mailer/campaigns')
        .set('Authorization', service)
        .send({ template: { subject: 's', text: 't' } })
        .expect(201);
      const batch = {
        seq: 0,
        recipients: [{ to: 'a@example.com' }, { to: 'b@example.com' }],
      };
      for (let i = 0; i < 3; i++) {
        const response = await request(server)
          .post(`/api/mailer/campaigns/${created.body.campaignId}/recipients`)
          .set('Authorization', service)
          .send(batch)
          .expect(200);
        expect(response.body).toEqual({ accepted: 2, suppressed: 0 });
      }
      const [{ n }] = await knex('mailer_outbox').count({ n: '*' });
      expect(Number(n)).toBe(2);
    } finally {
      await close();
    }
  });
});
