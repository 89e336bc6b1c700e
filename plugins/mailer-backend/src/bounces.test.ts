import { BackendFeature } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { BounceReportsResponse } from '@elixeum/plugin-mailer-common';
import { SmtpTestServer } from '@internal/smtp-test-server';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import { dsnFixture, DsnFixture } from './__testUtils__/dsnFixtures';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import {
  eventually,
  tenantServerSettings,
} from './__testUtils__/outboxHarness';
import { saveSettings } from './__testUtils__/saveSettings';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { permissionsAllowing } from './__testUtils__/permissionsAllowing';

// Bounces: a refusal at RCPT TO with a mailbox status suppresses the
// address (at once when it is permanent, after three messages when the
// mailbox is full), decided by the enhanced code's place, never the text;
// and delivery status notifications that come later, as Postfix, Exchange
// Online and Gmail write them, are matched to their message, recorded and
// applied the same way. A report that matches nothing is kept.

const databases = createTestDatabases();
jest.setTimeout(90_000);

const DAY = 24 * 60 * 60_000;

/** Each recipient's RCPT TO reply, by the address's local part. */
const RCPT_REPLIES: Record<string, { code: number; message: string }> = {
  gone: { code: 550, message: '5.1.1 <gone@example.org>: no such user' },
  nobody: { code: 550, message: '5.1.10 Recipient address has null MX' },
  full: { code: 452, message: '4.2.2 Mailbox full, try again later' },
  // Looks like a bounce in its text, but its code is a policy refusal.
  policy: { code: 550, message: '5.7.1 Refused by policy (not 5.1.1)' },
};

describe.each(databases.eachSupportedId())('bounces on %s', databaseId => {
  let smtp: SmtpTestServer;
  beforeEach(async () => {
    smtp = await SmtpTestServer.start({
      replies: {
        rcptTo: address => RCPT_REPLIES[address.split('@')[0]],
      },
    });
  });
  afterEach(() => smtp.close());

  async function start(features: BackendFeature[] = []) {
    const consumer = createConsumerPlugin();
    const started = await startMailerTestBackend(databases, databaseId, {
      defaultServer: { host: '127.0.0.1', port: 1 },
      features: [consumer.plugin, ...features],
      delivery: { retry: { initialDelay: '50ms', maxDelay: '100ms' } },
    });
    await saveSettings(started.server, tenantServerSettings(smtp));
    return { ...started, mailer: consumer.mailer() };
  }

  const suppressionsOf = (knex: Knex, address: string) =>
    knex('mailer_suppressions').where({ tenant_id: 'default', address });

  /** The outbox rows sent to `address`, oldest first. */
  const rowsTo = async (knex: Knex, address: string) =>
    (await knex('mailer_outbox').orderBy('created_at')).filter(row =>
      String(row.recipients).includes(address),
    );

  it('suppresses an address refused at RCPT TO with a permanent mailbox status after one message, and skips it in the next mailing; a policy refusal suppresses nothing', async () => {
    const { knex, mailer } = await start();
    await mailer.sendBulk({ subject: 'First', text: 'x' }, [
      { to: 'gone@example.org' },
      { to: 'policy@example.org' },
      { to: 'here@example.org' },
    ]);
    // Refused beside a recipient the server took: the message goes, partly.
    await mailer.send({
      to: ['here@example.org', 'nobody@example.org'],
      subject: 'Transactional',
      text: 'x',
    });
    await eventually(
      async () =>
        (await suppressionsOf(knex, 'gone@example.org')).length > 0 &&
        (await suppressionsOf(knex, 'nobody@example.org')).length > 0,
      20_000,
      'the hard bounces to be applied',
    );
    expect(await suppressionsOf(knex, 'nobody@example.org')).toEqual([
      expect.objectContaining({ reason: 'hard-bounce', list_id: '*' }),
    ]);
    const [suppression] = await suppressionsOf(knex, 'gone@example.org');
    expect(suppression).toMatchObject({
      list_id: '*',
      reason: 'hard-bounce',
      expires_at: null,
      detail: '550 5.1.1 <gone@example.org>: no such user',
    });
    await eventually(async () =>
      (await rowsTo(knex, 'policy@')).every(r => r.state === 'failed'),
    );
    expect(await suppressionsOf(knex, 'policy@example.org')).toEqual([]);

    const rcptBefore = smtp.messages.length;
    await mailer.sendBulk({ subject: 'Second', text: 'x' }, [
      { to: 'gone@example.org' },
      { to: 'here@example.org' },
    ]);
    await smtp.waitForMessages(rcptBefore + 1, 10_000);
    await eventually(async () => {
      const rows = await rowsTo(knex, 'gone@');
      return rows.length === 2 && rows[1].state === 'suppressed';
    });
    expect(
      smtp.messages
        .flatMap(m => m.envelope.rcptTo)
        .filter(r => r === 'gone@example.org'),
    ).toEqual([]);
  });

  it('counts soft bounces per message, not per retry, and suppresses a full mailbox for a week after three messages', async () => {
    const { knex, mailer } = await start();
    const soft = () =>
      knex('mailer_soft_bounces').where({ address: 'full@example.org' });
    await mailer.sendBulk({ subject: 'One', text: 'x' }, [
      { to: 'full@example.org' },
    ]);
    // Tried again and again: still one message.
    await eventually(async () => {
      const [row] = await rowsTo(knex, 'full@');
      return Number(row?.attempts) >= 3 && (await soft()).length === 1;
    });
    expect(await suppressionsOf(knex, 'full@example.org')).toEqual([]);

    for (const subject of ['Two', 'Three']) {
      await mailer.sendBulk({ subject, text: 'x' }, [
        { to: 'full@example.org' },
      ]);
    }
    await eventually(
      async () => (await suppressionsOf(knex, 'full@example.org')).length > 0,
      20_000,
      'the soft bounces to suppress',
    );
    const [suppression] = await suppressionsOf(knex, 'full@example.org');
    expect(suppression).toMatchObject({ list_id: '*', reason: 'soft-bounce' });
    const forMs =
      Number(suppression.expires_at) - Number(suppression.created_at);
    // A week (a retry still bouncing meanwhile only moves the end later).
    expect(forMs).toBeGreaterThanOrEqual(7 * DAY);
    expect(forMs).toBeLessThan(7 * DAY + 60_000);
  });

  describe('delivery status notifications', () => {
    /** Sends one bulk message to `to`; returns its outbox id and Message-ID once it was delivered. */
    async function delivered(
      mailer: Awaited<ReturnType<typeof start>>['mailer'],
      knex: Knex,
      to: string,
    ): Promise<{ id: string; messageId: string }> {
      const before = (await rowsTo(knex, to)).length;
      await mailer.sendBulk({ subject: 'Letter', text: 'x' }, [{ to }]);
      let row: any;
      await eventually(async () => {
        const rows = await rowsTo(knex, to);
        row = rows[before];
        return row?.state === 'sent';
      });
      return { id: row.id, messageId: row.smtp_message_id };
    }

    const intake = (
      server: Parameters<typeof request>[0],
      raw: string,
      authorization = mockCredentials.service.header(),
    ) =>
      request(server)
        .post('/api/mailer/bounces')
        .set('Authorization', authorization)
        .set('Content-Type', 'message/rfc822')
        .send(raw);

    it.each(['postfix', 'gmail'] as DsnFixture[])(
      'match a %s report of a missing mailbox to its message, record the failure and suppress the address',
      async fixture => {
        const { server, knex, mailer } = await start();
        const { id, messageId } = await delivered(
          mailer,
          knex,
          'reader@example.org',
        );
        const response = await intake(
          server,
          dsnFixture(fixture, 'Reader@Example.org', messageId),
        ).expect(202);
        expect(response.body).toMatchObject({
          outcome: 'matched',
          messageId: id,
          originalMessageId: messageId,
          recipients: [
            {
              address: 'reader@example.org',
              action: 'failed',
              status: '5.1.1',
              suppressed: 'hard-bounce',
            },
          ],
        });
        const row = await knex('mailer_outbox').where({ id }).first();
        expect(row.state).toBe('failed');
        expect(JSON.parse(row.recipient_results)).toEqual({
          'reader@example.org': {
            state: 'failed',
            reply: {
              code: 'EBOUNCE',
              response: expect.stringMatching(/^5\.1\.1 /),
            },
          },
        });
        expect(await suppressionsOf(knex, 'reader@example.org')).toEqual([
          expect.objectContaining({ reason: 'hard-bounce', list_id: '*' }),
        ]);
        const listed = await request(server)
          .get('/api/mailer/bounce-reports')
          .expect(200);
        expect((listed.body as BounceReportsResponse).items).toEqual([
          expect.objectContaining({ outcome: 'matched', messageId: id }),
        ]);
      },
    );

    it('match Exchange Online reports of a full mailbox, and suppress it for a while after three messages', async () => {
      const { server, knex, mailer } = await start();
      const suppressed: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const { messageId } = await delivered(mailer, knex, 'busy@example.org');
        const response = await intake(
          server,
          dsnFixture('exchange-online', 'busy@example.org', messageId),
        ).expect(202);
        expect(response.body.recipients[0]).toMatchObject({
          status: '5.2.2',
        });
        suppressed.push(response.body.recipients[0].suppressed);
      }
      expect(suppressed).toEqual([undefined, undefined, 'soft-bounce']);
      const [suppression] = await suppressionsOf(knex, 'busy@example.org');
      expect(suppression).toMatchObject({ reason: 'soft-bounce' });
      expect(suppression.expires_at).not.toBeNull();
    });

    it('keep what matches no message, what names another recipient, and what is no report; admins see them, masked to readers who may not manage the settings', async () => {
      const allowed = new Set([
        'mailer.delivery.read',
        'mailer.settings.manage',
        'mailer.settings.read',
      ]);
      const { server, knex, mailer } = await start([
        permissionsAllowing(name => allowed.has(name)),
      ]);
      const { id, messageId } = await delivered(
        mailer,
        knex,
        'reader@example.org',
      );
      const unknown = await intake(
        server,
        dsnFixture(
          'postfix',
          'reader@example.org',
          `<${randomUUID()}@tenant.example>`,
        ),
      ).expect(202);
      expect(unknown.body).toMatchObject({
        outcome: 'unmatched',
        reason: expect.stringMatching(
          /^No message [0-9a-f-]{36} in the outbox/,
        ),
      });
      const forged = await intake(
        server,
        dsnFixture('gmail', 'someone.else@example.org', messageId),
      ).expect(202);
      expect(forged.body).toMatchObject({
        outcome: 'unmatched',
        reason: `1 of its recipients is not recipients of message ${id}`,
      });
      const notAReport = await intake(
        server,
        'From: reader@example.org\r\nSubject: Out of office\r\n\r\nAway until Monday.\r\n',
      ).expect(202);
      expect(notAReport.body.outcome).toBe('unreadable');

      // Nothing changed: no suppression, the message still sent.
      expect(await knex('mailer_suppressions')).toEqual([]);
      expect((await knex('mailer_outbox').where({ id }).first()).state).toBe(
        'sent',
      );
      // Kept with their text, for whoever looks into them.
      const kept = await knex('mailer_bounce_reports').whereNot({
        outcome: 'matched',
      });
      expect(kept).toHaveLength(3);
      expect(kept.every(row => typeof row.raw === 'string')).toBe(true);
      expect(kept.find(row => row.outcome === 'unreadable').raw).toContain(
        'Away until Monday.',
      );

      const list = async () =>
        (
          await request(server)
            .get('/api/mailer/bounce-reports?unmatched=true')
            .expect(200)
        ).body as BounceReportsResponse;
      const full = await list();
      expect(full.unmatched).toBe(3);
      expect(full.masked).toBe(false);
      expect(full.items.map(r => r.outcome).sort()).toEqual([
        'unmatched',
        'unmatched',
        'unreadable',
      ]);
      expect(JSON.stringify(full.items)).toContain('someone.else@example.org');

      allowed.delete('mailer.settings.manage');
      const masked = await list();
      expect(masked.masked).toBe(true);
      expect(JSON.stringify(masked.items)).not.toContain('someone.else@');
      expect(JSON.stringify(masked.items)).toContain('s***@example.org');
    });
  });
});
