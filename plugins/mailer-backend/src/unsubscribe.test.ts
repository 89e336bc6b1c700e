import { mockCredentials } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { SmtpTestServer } from '@internal/smtp-test-server';
import request from 'supertest';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import {
  startMailerTestBackend,
  testEncryptionKey,
} from './__testUtils__/mailerTestBackend';
import { eventually } from './__testUtils__/outboxHarness';
import { createTestDatabases } from './__testUtils__/testDatabases';
import {
  headerOf,
  listHeadersOf,
  messagesTo,
  NOBODY,
  pathOf,
  postOneClick,
  unsubscribeLinkOf,
} from './__testUtils__/unsubscribeLinks';
import { SecretCipher } from './crypto/SecretCipher';
import { UnsubscribeTokens } from './crypto/UnsubscribeTokens';
import { SuppressionStore } from './database/SuppressionStore';

// One-click unsubscribe (RFC 8058) end to end: the headers bulk mail
// carries, the public route a mail provider posts to, and the suppression
// list that keeps the next messages from the address, against a real SMTP
// server and a real backend on every engine.

const databases = createTestDatabases();
jest.setTimeout(120_000);

let smtp: SmtpTestServer;
beforeEach(async () => {
  smtp = await SmtpTestServer.start();
});
afterEach(() => smtp.close());

const LINK =
  /^<(http:\/\/localhost:\d+\/api\/mailer\/unsubscribe\/[A-Za-z0-9_-]+)>$/;

describe.each(databases.eachSupportedId())(
  'one-click unsubscribe on %s',
  databaseId => {
    async function start(delivery?: Record<string, unknown>) {
      const consumer = createConsumerPlugin();
      const started = await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: smtp.host, port: smtp.port },
        features: [consumer.plugin],
        delivery: delivery as any,
      });
      return { ...started, mailer: consumer.mailer() };
    }

    /** The outbox rows of one address, oldest first. */
    async function rowsTo(
      knex: Awaited<ReturnType<typeof start>>['knex'],
      address: string,
    ) {
      const rows = await knex('mailer_outbox').orderBy('created_at');
      return rows.filter(r => JSON.parse(r.recipients).to[0] === address);
    }

    it('gives every bulk message the three headers and its recipient’s own link in the body, and transactional mail none', async () => {
      const { mailer } = await start();
      await mailer.sendBulk(
        {
          subject: 'News for {{name}}',
          text: 'Hello {{name}}. Leave: {{unsubscribeUrl}}',
          html: '<a href="{{unsubscribeUrl}}">Leave</a>',
        },
        ['ada', 'bob', 'cy'].map(name => ({
          to: `${name}@example.com`,
          variables: { name },
        })),
      );
      await mailer.send(
        { to: 'solo@example.com', subject: 'Alert', text: 'x' },
        { listId: 'alerts', priority: 'bulk' },
      );
      await mailer.send({
        to: 'ops@example.com',
        subject: 'Reset',
        text: 'As written: {{unsubscribeUrl}}',
      });
      const received = await smtp.waitForMessages(5);

      const links = new Set<string>();
      for (const name of ['ada', 'bob', 'cy']) {
        const [message] = messagesTo(received, `${name}@example.com`);
        const link = headerOf(message.raw, 'List-Unsubscribe')!.match(
          LINK,
        )?.[1];
        expect(link).toBeDefined();
        links.add(link!);
        expect(headerOf(message.raw, 'List-Unsubscribe-Post')).toBe(
          'List-Unsubscribe=One-Click',
        );
        // The calling plugin's id is the list; the tenant and the sender's domain its namespace.
        expect(headerOf(message.raw, 'List-Id')).toBe(
          '<consumer.default.elixeum.cloud>',
        );
        expect(message.parsed.text?.trim()).toBe(
          `Hello ${name}. Leave: ${link}`,
        );
        expect(message.parsed.html).toBe(`<a href="${link}">Leave</a>`);
        // Opaque: nothing of the address in the link, read any way.
        const token = link!.slice(link!.lastIndexOf('/') + 1);
        expect(
          Buffer.from(token, 'base64url').toString('latin1'),
        ).not.toContain(name);
      }
      expect(links.size).toBe(3);

      const [solo] = messagesTo(received, 'solo@example.com');
      expect(headerOf(solo.raw, 'List-Id')).toBe(
        '<alerts.default.elixeum.cloud>',
      );
      expect(headerOf(solo.raw, 'List-Unsubscribe')).toMatch(LINK);

      const [transactional] = messagesTo(received, 'ops@example.com');
      expect(listHeadersOf(transactional)).toEqual([]);
      expect(transactional.parsed.text?.trim()).toBe(
        'As written: {{unsubscribeUrl}}',
      );
    });

    it('adds a mailto: after the link when the tenant sets an unsubscribe mailbox', async () => {
      const { mailer, server } = await start();
      await request(server)
        .put('/api/mailer/settings')
        .send({ values: { 'SMTP.UnsubscribeMailbox': 'leave@tenant.example' } })
        .expect(200);
      await mailer.sendBulk({ subject: 's', text: 't' }, [
        { to: 'ada@example.com' },
      ]);
      const [message] = await smtp.waitForMessages(1);
      const uris = headerOf(message.raw, 'List-Unsubscribe')!.split(/,\s*/);
      expect(uris).toHaveLength(2);
      expect(uris[0]).toMatch(LINK);
      expect(uris[1]).toBe(
        '<mailto:leave@tenant.example?subject=unsubscribe%20consumer>',
      );
    });

    it.each(['urlencoded', 'multipart'] as const)(
      'takes the one-click POST (%s) at once: 200 without a redirect, and the next mailing skips the address as suppressed',
      async body => {
        const { mailer, server, knex } = await start();
        const first = await mailer.sendBulk({ subject: 'One', text: 't' }, [
          { to: 'ada@example.com' },
          { to: 'bob@example.com' },
        ]);
        const received = await smtp.waitForMessages(2);
        const link = unsubscribeLinkOf(
          messagesTo(received, 'ada@example.com')[0],
        );

        const answer = await postOneClick(server, link, body);
        expect(answer.status).toBe(200);
        expect(answer.headers.location).toBeUndefined();
        expect(answer.text).toContain('You are unsubscribed');
        // Recorded before the answer: nothing to wait for.
        const rows = await knex('mailer_suppressions');
        expect(rows).toEqual([
          expect.objectContaining({
            tenant_id: 'default',
            address: 'ada@example.com',
            list_id: 'consumer',
            reason: 'unsubscribed',
            campaign_id: first.campaignId,
          }),
        ]);

        smtp.reset();
        const second = await mailer.sendBulk({ subject: 'Two', text: 't' }, [
          { to: 'ada@example.com' },
          { to: 'bob@example.com' },
        ]);
        expect(second).toMatchObject({ accepted: 1, suppressed: 1 });
        await smtp.waitForMessages(1);
        const [ada] = (await rowsTo(knex, 'ada@example.com')).filter(
          r => r.campaign_id === second.campaignId,
        );
        const status = await request(server)
          .get(`/api/mailer/messages/${ada.id}`)
          .set('Authorization', mockCredentials.service.header())
          .expect(200);
        expect(status.body).toMatchObject({
          state: 'suppressed',
          rejected: [],
          recipients: [
            {
              address: 'ada@example.com',
              state: 'suppressed',
              suppression: { reason: 'unsubscribed', list: 'consumer' },
            },
          ],
        });

        // Another list still reaches the address: it left one list only.
        await mailer.sendBulk(
          { subject: 'Other', text: 't' },
          [{ to: 'ada@example.com' }],
          { listId: 'other' },
        );
        await eventually(
          () => messagesTo(smtp.messages, 'ada@example.com').length === 1,
        );
        expect(messagesTo(smtp.messages, 'bob@example.com')).toHaveLength(1);

        // Outcomes are written within a moment of the server's answer.
        let campaigns: any[] = [];
        const campaign = (id: string) =>
          campaigns.find((c: any) => c.campaignId === id);
        await eventually(async () => {
          campaigns = (
            await request(server)
              .get('/api/mailer/delivery-summary')
              .expect(200)
          ).body.campaigns;
          return campaign(second.campaignId)?.counts.sent === 1;
        });
        expect(campaign(first.campaignId)).toMatchObject({
          list: 'consumer',
          unsubscribes: 1,
          counts: expect.objectContaining({ sent: 2, failed: 0 }),
        });
        expect(campaign(second.campaignId)).toMatchObject({
          unsubscribes: 0,
          counts: expect.objectContaining({
            sent: 1,
            suppressed: 1,
            failed: 0,
          }),
        });
      },
    );

    it('changes nothing on a GET: it shows a self-contained page with a button', async () => {
      const { mailer, server, knex } = await start();
      await mailer.sendBulk({ subject: 'One', text: 't' }, [
        { to: 'ada@example.com' },
      ]);
      const link = unsubscribeLinkOf((await smtp.waitForMessages(1))[0]);

      const page = await request(server)
        .get(pathOf(link))
        .set('Authorization', NOBODY)
        .expect(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      const policy = page.headers['content-security-policy'];
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("form-action 'self'");
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).toContain('a***@example.com');
      expect(page.text).toContain('<strong>consumer</strong>');
      expect(page.text).toContain('<form method="post">');
      expect(page.text).toContain(
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">',
      );
      // Nothing to load: no scripts, no images, no links to other sites.
      expect(page.text).not.toMatch(/<script|<img|<link|src=|https?:\/\//);
      await request(server)
        .head(pathOf(link))
        .set('Authorization', NOBODY)
        .expect(200);

      expect(await knex('mailer_suppressions')).toEqual([]);
      smtp.reset();
      await mailer.sendBulk({ subject: 'Two', text: 't' }, [
        { to: 'ada@example.com' },
      ]);
      await smtp.waitForMessages(1);
    });

    it('unsubscribes from all bulk mail with the page’s second button, and transactional mail still arrives', async () => {
      const { mailer, server } = await start();
      await mailer.sendBulk({ subject: 'One', text: 't' }, [
        { to: 'ada@example.com' },
      ]);
      const link = unsubscribeLinkOf((await smtp.waitForMessages(1))[0]);
      await request(server)
        .post(pathOf(link))
        .set('Authorization', NOBODY)
        .type('form')
        .send('List-Unsubscribe=One-Click&scope=all')
        .expect(200);

      smtp.reset();
      const other = await mailer.sendBulk(
        { subject: 'Other list', text: 't' },
        [{ to: 'ada@example.com' }, { to: 'bob@example.com' }],
        { listId: 'other' },
      );
      expect(other.suppressed).toBe(1);
      const { id } = await mailer.send({
        to: 'ada@example.com',
        subject: 'Password reset',
        text: 'link',
      });
      await expect(
        mailer.waitForDelivery(id, { timeoutMs: 10_000 }),
      ).resolves.toMatchObject({ state: 'sent' });
      await eventually(() => smtp.messages.length === 2);
      expect(smtp.messages.map(m => m.parsed.subject).sort()).toEqual([
        'Other list',
        'Password reset',
      ]);
      expect(messagesTo(smtp.messages, 'bob@example.com')).toHaveLength(1);
    });

    it('does not send transactional mail to an address that bounced for good, and sends it to the others', async () => {
      const { mailer, knex } = await start();
      // As the bounce handling records one.
      await new SuppressionStore(knex).suppress('default', 'Gone@Example.com', {
        scope: 'all-bulk',
        reason: 'hard-bounce',
      });
      const both = await mailer.send({
        to: 'gone@example.com',
        cc: 'bob@example.com',
        subject: 'Reset',
        text: 'x',
      });
      await expect(
        mailer.waitForDelivery(both.id, { timeoutMs: 10_000 }),
      ).resolves.toMatchObject({
        state: 'sent',
        recipients: [
          {
            address: 'gone@example.com',
            state: 'suppressed',
            suppression: { reason: 'hard-bounce' },
          },
          { address: 'bob@example.com', state: 'sent' },
        ],
      });
      const alone = await mailer.send({
        to: 'gone@example.com',
        subject: 'Reset',
        text: 'x',
      });
      // Final, and not a failure: waitForDelivery resolves.
      await expect(
        mailer.waitForDelivery(alone.id, { timeoutMs: 10_000 }),
      ).resolves.toMatchObject({ state: 'suppressed' });
      expect(smtp.messages.map(m => m.envelope.rcptTo)).toEqual([
        ['bob@example.com'],
      ]);
    });

    it('refuses a forged or altered link like garbage, without saying whose it would be', async () => {
      const { mailer, server, knex } = await start();
      await mailer.sendBulk({ subject: 'One', text: 't' }, [
        { to: 'ada@example.com' },
      ]);
      const link = unsubscribeLinkOf((await smtp.waitForMessages(1))[0]);
      const token = link.slice(link.lastIndexOf('/') + 1);
      const flip = (at: number) =>
        `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
      // Made for the same tenant, list and address, with a key the portal does not have.
      const forged = UnsubscribeTokens.fromCipher(
        SecretCipher.fromConfig(
          new ConfigReader({
            mailer: {
              encryption: {
                keys: [
                  {
                    id: 'test-1',
                    secret: Buffer.from(
                      Buffer.from(testEncryptionKey, 'base64').map(b => b ^ 1),
                    ).toString('base64'),
                  },
                ],
              },
            },
          }),
        ),
      ).issue({
        tenantId: 'default',
        listId: 'consumer',
        address: 'ada@example.com',
      });
      // Ten requests: as many links that are not ours as one source may try a minute.
      const tokens = [
        flip(1),
        flip(Math.floor(token.length / 2)),
        token.slice(0, -4),
        forged,
        'garbage',
      ];
      const answers = [];
      for (const bad of tokens) {
        for (const method of ['get', 'post'] as const) {
          const call = request(server)
            [method](`/api/mailer/unsubscribe/${bad}`)
            .set('Authorization', NOBODY);
          answers.push(
            await (method === 'post'
              ? call.type('form').send('List-Unsubscribe=One-Click')
              : call),
          );
        }
      }
      for (const answer of answers) {
        expect(answer.status).toBe(400);
        // The same page for each: nothing tells a real address from none.
        expect(answer.text).toBe(answers[answers.length - 1].text);
        expect(answer.text).not.toMatch(/ada|example\.com|default/);
      }
      expect(await knex('mailer_suppressions')).toEqual([]);
    });

    it('sends nothing more to an address after its unsubscribe is recorded, in the middle of a 1,000-recipient mailing', async () => {
      // One message on the wire at a time and none claimed ahead, so that
      // what "after" means is exact.
      const { mailer, knex, server } = await start({
        maxConnections: 1,
        windowPerConnection: 1,
      });
      const leaving = 'leaving@example.com';
      const recipients = Array.from({ length: 1000 }, (_, i) => ({
        to: i % 50 === 7 ? leaving : `r${i}@example.com`,
      }));
      let releaseHeld!: () => void;
      const held = new Promise<void>(resolve => {
        releaseHeld = resolve;
      });
      let heldAt = -1;
      let seenByLeaving = 0;
      // Its fifth message is held on the wire while the recipient unsubscribes.
      const dataHook = async (envelope: { rcptTo: string[] }) => {
        if (envelope.rcptTo[0] !== leaving) return undefined;
        seenByLeaving += 1;
        if (seenByLeaving !== 5) return undefined;
        heldAt = smtp.messages.length;
        await held;
        return undefined;
      };
      await smtp.close();
      smtp = await SmtpTestServer.start({
        port: smtp.port,
        replies: { data: dataHook },
      });

      const queued = await mailer.sendBulk(
        { subject: 'Big news', text: 'x' },
        recipients,
      );
      expect(queued.accepted).toBe(1000);
      await eventually(() => heldAt >= 0, 60_000, 'the fifth message held');
      const link = unsubscribeLinkOf(messagesTo(smtp.messages, leaving)[0]);
      await postOneClick(server, link).expect(200);
      releaseHeld();

      await eventually(
        async () =>
          (await knex('mailer_outbox').whereIn('state', ['waiting', 'sending']))
            .length === 0,
        90_000,
        'the mailing to finish',
      );
      // The four before and the one on the wire when it was recorded; none after.
      expect(messagesTo(smtp.messages, leaving)).toHaveLength(5);
      const states = (await rowsTo(knex, leaving)).map(r => r.state);
      expect(states.filter(s => s === 'sent')).toHaveLength(5);
      expect(states.filter(s => s === 'suppressed')).toHaveLength(15);
      // Everyone else got theirs.
      expect(smtp.messages).toHaveLength(1000 - 15);
    });
  },
);
