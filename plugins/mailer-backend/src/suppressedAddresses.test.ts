import { mockCredentials } from '@backstage/backend-test-utils';
import { SmtpTestServer } from '@internal/smtp-test-server';
import request from 'supertest';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import {
  captured,
  startMailerTestBackend,
} from './__testUtils__/mailerTestBackend';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { SuppressionStore } from './database/SuppressionStore';
import { permissionsAllowing } from './__testUtils__/permissionsAllowing';

// The "Suppressed addresses" card's routes on a real backend: who sees
// which addresses, and a removal that is audited, written to the settings
// history, and lets mail through again.

const databases = createTestDatabases();
jest.setTimeout(60_000);

let smtp: SmtpTestServer;
beforeEach(async () => {
  smtp = await SmtpTestServer.start();
});
afterEach(() => smtp.close());

const USER = mockCredentials.user.header('user:default/ada');

describe.each(databases.eachSupportedId())(
  'the suppressed addresses card on %s',
  databaseId => {
    /** The permissions the permission service allows right now. */
    const allowed = new Set<string>();

    async function start() {
      allowed.clear();
      const consumer = createConsumerPlugin();
      const started = await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: smtp.host, port: smtp.port },
        features: [
          consumer.plugin,
          permissionsAllowing(name => allowed.has(name)),
        ],
      });
      const store = new SuppressionStore(started.knex);
      await store.suppress('default', 'ada@example.com', {
        scope: { list: 'consumer' },
        reason: 'unsubscribed',
      });
      await store.suppress('default', 'gone@example.com', {
        scope: 'all-bulk',
        reason: 'hard-bounce',
      });
      await store.suppress('other', 'bob@example.com', {
        scope: 'all-bulk',
        reason: 'unsubscribed',
      });
      return { ...started, mailer: consumer.mailer() };
    }

    it('shows whole addresses, and searches them, to who may manage the settings', async () => {
      const { server } = await start();
      allowed.add('mailer.delivery.read').add('mailer.settings.manage');
      const all = await request(server)
        .get('/api/mailer/suppressions')
        .set('Authorization', USER)
        .expect(200);
      // Suppressed within a millisecond or two: in either order.
      expect(all.body).toEqual({
        items: expect.arrayContaining([
          expect.objectContaining({
            address: 'gone@example.com',
            reason: 'hard-bounce',
          }),
          expect.objectContaining({
            address: 'ada@example.com',
            list: 'consumer',
            reason: 'unsubscribed',
          }),
        ]),
        total: 2,
        masked: false,
      });
      const found = await request(server)
        .get('/api/mailer/suppressions?q=ADA')
        .set('Authorization', USER)
        .expect(200);
      expect(found.body.items.map((i: any) => i.address)).toEqual([
        'ada@example.com',
      ]);
    });

    it('masks addresses, and refuses a search, for who may only read delivery records', async () => {
      const { server } = await start();
      allowed.add('mailer.delivery.read');
      const all = await request(server)
        .get('/api/mailer/suppressions')
        .set('Authorization', USER)
        .expect(200);
      expect(all.body.masked).toBe(true);
      expect(all.body.items.map((i: any) => i.address).sort()).toEqual([
        'a***@example.com',
        'g***@example.com',
      ]);
      const search = await request(server)
        .get('/api/mailer/suppressions?q=ada%40example.com')
        .set('Authorization', USER)
        .expect(403);
      expect(search.body.error.message).toContain('mailer.settings.manage');
    });

    it('removes an address in one scope: audited, in the settings history, and mail goes to it again', async () => {
      const { server, mailer } = await start();
      allowed.add('mailer.delivery.read').add('mailer.settings.manage');
      captured.auditEvents.length = 0;
      const removed = await request(server)
        .delete(
          '/api/mailer/suppressions?address=ADA@example.com&list=consumer',
        )
        .set('Authorization', USER)
        .expect(200);
      expect(removed.body).toMatchObject({
        address: 'ada@example.com',
        list: 'consumer',
        reason: 'unsubscribed',
      });
      expect(captured.auditEvents).toEqual([
        expect.objectContaining({
          eventId: 'suppression-remove',
          status: 'initiated',
          meta: expect.objectContaining({
            tenantId: 'default',
            address: 'ada@example.com',
            scope: 'list:consumer',
          }),
        }),
        expect.objectContaining({
          eventId: 'suppression-remove',
          status: 'succeeded',
          meta: expect.objectContaining({ reason: 'unsubscribed' }),
        }),
      ]);
      allowed.add('mailer.settings.read');
      const history = await request(server)
        .get('/api/mailer/settings/history')
        .set('Authorization', USER)
        .expect(200);
      expect(history.body.entries[0]).toMatchObject({
        kind: 'suppression-removed',
        actor: 'user:default/ada',
        address: 'a***@example.com',
        list: 'consumer',
        reason: 'unsubscribed',
      });

      // Gone: a second removal finds nothing, and the next mailing reaches it.
      await request(server)
        .delete(
          '/api/mailer/suppressions?address=ada@example.com&list=consumer',
        )
        .set('Authorization', USER)
        .expect(404);
      const queued = await mailer.sendBulk({ subject: 'Back', text: 't' }, [
        { to: 'ada@example.com' },
      ]);
      expect(queued).toMatchObject({ accepted: 1, suppressed: 0 });
      await smtp.waitForMessages(1);
    });

    it('refuses a removal of another scope or of another tenant’s address, and changes nothing', async () => {
      const { server, knex } = await start();
      allowed.add('mailer.delivery.read').add('mailer.settings.manage');
      for (const query of [
        'address=ada@example.com',
        'address=gone@example.com&list=consumer',
        'address=bob@example.com',
      ]) {
        await request(server)
          .delete(`/api/mailer/suppressions?${query}`)
          .set('Authorization', USER)
          .expect(404);
      }
      await request(server)
        .delete(
          '/api/mailer/suppressions?address=ada@example.com&list=Not%20A%20List',
        )
        .set('Authorization', USER)
        .expect(400);
      expect(await knex('mailer_suppressions')).toHaveLength(3);
    });
  },
);
