import { mockCredentials } from '@backstage/backend-test-utils';
import { MailMessage } from '@elixeum/plugin-mailer-common';
import { MailerService } from '@elixeum/plugin-mailer-node';
import { JsonObject } from '@backstage/types';
import {
  createSelfSignedCertificate,
  SmtpTestServer,
} from '@internal/smtp-test-server';
import request from 'supertest';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import {
  captured,
  startMailerTestBackend,
} from './__testUtils__/mailerTestBackend';
import { saveSettings } from './__testUtils__/saveSettings';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { waitForPause } from './__testUtils__/waitForPause';

const databases = createTestDatabases();
jest.setTimeout(30_000);
const certificate = createSelfSignedCertificate();
const TENANT_PASSWORD = 'tenant-Secret-42!';

let defaultServer: SmtpTestServer;
let tenantServer: SmtpTestServer;

beforeAll(async () => {
  defaultServer = await SmtpTestServer.start();
  // Like a real submission server: STARTTLS first, then AUTH.
  tenantServer = await SmtpTestServer.start({
    users: { 'mailer@tenant.example': TENANT_PASSWORD },
    certificate,
    requireTlsForAuth: true,
  });
});
afterAll(async () => {
  await defaultServer.close();
  await tenantServer.close();
});
beforeEach(() => {
  defaultServer.reset();
  tenantServer.reset();
});

/** Queues a message and waits until it is delivered, as a caller that needs the outcome does. */
async function sendAndWait(mailer: MailerService, message: MailMessage) {
  return mailer.waitForDelivery((await mailer.send(message)).id, {
    timeoutMs: 10_000,
  });
}

const tenantSettings = () => ({
  'SMTP.Server': tenantServer.host,
  'SMTP.Port': String(tenantServer.port),
  'SMTP.Username': 'mailer@tenant.example',
  'SMTP.Password': TENANT_PASSWORD,
});

describe.each(databases.eachSupportedId())(
  'mail delivery on %s',
  databaseId => {
    async function start(defaultMailbox: JsonObject = {}) {
      const consumer = createConsumerPlugin();
      const { server, knex } = await startMailerTestBackend(
        databases,
        databaseId,
        {
          defaultServer: {
            host: defaultServer.host,
            port: defaultServer.port,
            extra: defaultMailbox,
          },
          extraCaCertificates: [certificate.cert],
          features: [consumer.plugin],
        },
      );
      // A refused message must never reach the outbox: what the outbox
      // holds is sent sooner or later, so this is checked instead of the
      // server, which a queued message would only reach later.
      const queued = async () => {
        const [{ n }] = await knex('mailer_outbox').count({ n: '*' });
        const [{ c }] = await knex('mailer_campaigns').count({ c: '*' });
        return Number(n) + Number(c);
      };
      return { server, mailer: consumer.mailer(), queued };
    }

    it('sends through the default mailbox while the tenant has no server of its own', async () => {
      const { mailer } = await start({
        fromName: 'Elixeum Portal',
        replyTo: 'support@elixeum.cloud',
      });
      const { id } = await mailer.send({
        to: [
          'ada@example.com',
          { name: 'Grace Hopper', address: 'grace@example.com' },
        ],
        cc: 'team@example.com',
        subject: 'Welcome to the portal',
        text: 'Hello!',
        html: '<p>Hello!</p>',
      });

      const [message] = await defaultServer.waitForMessages(1);
      expect(message.envelope).toEqual({
        mailFrom: 'no-reply@elixeum.cloud',
        rcptTo: ['ada@example.com', 'grace@example.com', 'team@example.com'],
      });
      expect(message.parsed.from?.value).toEqual([
        { address: 'no-reply@elixeum.cloud', name: 'Elixeum Portal' },
      ]);
      expect(message.parsed.replyTo?.text).toBe('support@elixeum.cloud');
      expect(message.parsed.to).toMatchObject({
        value: [
          { address: 'ada@example.com', name: '' },
          { address: 'grace@example.com', name: 'Grace Hopper' },
        ],
      });
      expect(message.parsed.subject).toBe('Welcome to the portal');
      expect(message.parsed.text?.trim()).toBe('Hello!');
      expect(message.parsed.html).toBe('<p>Hello!</p>');
      const status = await mailer.waitForDelivery(id);
      expect(status).toMatchObject({
        id,
        state: 'sent',
        attempts: 1,
        rejected: [],
      });
      expect(message.parsed.messageId).toBe(status.messageId);
      expect(tenantServer.messages).toHaveLength(0);
    });

    it('sends through the tenant server with the decrypted credentials once all required keys are set', async () => {
      const { server, mailer } = await start();
      await saveSettings(server, tenantSettings());

      await mailer.send({
        to: 'ada@example.com',
        subject: 'Reset your password',
        text: 'Use this link.',
      });

      const [message] = await tenantServer.waitForMessages(1);
      expect(tenantServer.authAttempts).toEqual([
        expect.objectContaining({
          username: 'mailer@tenant.example',
          password: TENANT_PASSWORD,
        }),
      ]);
      expect(message.secure).toBe(true);
      expect(message.authenticatedUser).toBe('mailer@tenant.example');
      expect(message.envelope.mailFrom).toBe('mailer@tenant.example');
      expect(message.parsed.subject).toBe('Reset your password');
      expect(defaultServer.messages).toHaveLength(0);
    });

    it('follows settings changes: a new sender, then back to the default when a required key is removed', async () => {
      const { server, mailer } = await start();
      await saveSettings(server, tenantSettings());
      await sendAndWait(mailer, {
        to: 'a@example.com',
        subject: 'one',
        text: '1',
      });

      await saveSettings(server, { 'SMTP.From': 'portal@tenant.example' });
      await sendAndWait(mailer, {
        to: 'a@example.com',
        subject: 'two',
        text: '2',
      });

      await request(server)
        .delete('/api/mailer/settings/SMTP.Password')
        .expect(200);
      await sendAndWait(mailer, {
        to: 'a@example.com',
        subject: 'three',
        text: '3',
      });

      const tenantMessages = await tenantServer.waitForMessages(2);
      expect(
        tenantMessages.map(m => [m.parsed.subject, m.envelope.mailFrom]),
      ).toEqual([
        ['one', 'mailer@tenant.example'],
        ['two', 'portal@tenant.example'],
      ]);
      const [defaultMessage] = await defaultServer.waitForMessages(1);
      expect(defaultMessage.parsed.subject).toBe('three');
      expect(defaultMessage.envelope.mailFrom).toBe('no-reply@elixeum.cloud');
    });

    it('delivers attachments given as bytes or text, unchanged', async () => {
      const { mailer } = await start();
      const bytes = Uint8Array.from([0, 1, 2, 250, 251, 255]);
      await mailer.send({
        to: 'a@example.com',
        subject: 'Report',
        text: 'attached',
        attachments: [
          {
            filename: 'data.bin',
            content: bytes,
            contentType: 'application/octet-stream',
          },
          {
            filename: 'notes.txt',
            content: 'plain notes',
            contentType: 'text/plain',
          },
        ],
      });
      const [message] = await defaultServer.waitForMessages(1);
      const [binary, text] = message.parsed.attachments;
      expect(binary.filename).toBe('data.bin');
      expect([...binary.content]).toEqual([...bytes]);
      expect(text.content.toString('utf8')).toBe('plain notes');
    });

    it('pauses the tenant when the server refuses the login (535 5.7.139), fails nothing, explains why without the password, and delivers once the settings are fixed', async () => {
      let refuse = true;
      const refusingServer = await SmtpTestServer.start({
        users: { 'mailer@tenant.example': TENANT_PASSWORD },
        replies: {
          auth: () =>
            refuse
              ? {
                  code: 535,
                  message: `5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. ${TENANT_PASSWORD}`,
                }
              : undefined,
        },
      });
      try {
        const { server, mailer } = await start();
        await saveSettings(server, {
          ...tenantSettings(),
          'SMTP.Port': String(refusingServer.port),
          'SMTP.Security': 'none',
        });

        const { id } = await mailer.send({
          to: 'a@example.com',
          subject: 's',
          text: 't',
        });
        const summary = await waitForPause(server);
        expect(summary.pause).toMatchObject({
          server: 'custom',
          reason: expect.stringContaining('5.7.139'),
          advice: expect.stringContaining('SmtpClientAuthenticationDisabled'),
          reply: { code: 'EAUTH', responseCode: 535 },
        });
        expect(JSON.stringify(summary)).not.toContain(TENANT_PASSWORD);
        const waiting = await mailer.getStatus(id);
        expect(waiting).toMatchObject({ state: 'retrying', attempts: 0 });
        expect(JSON.stringify(waiting)).not.toContain(TENANT_PASSWORD);
        expect(refusingServer.messages).toHaveLength(0);

        // The tenant switches SMTP AUTH on and saves its settings again.
        refuse = false;
        await saveSettings(server, { 'SMTP.Password': TENANT_PASSWORD });
        const delivered = await mailer.waitForDelivery(id, {
          timeoutMs: 10_000,
        });
        expect(delivered).toMatchObject({ state: 'sent', attempts: 1 });
        expect(refusingServer.messages).toHaveLength(1);
      } finally {
        await refusingServer.close();
      }
    });

    it('logs a pause with its codes, never the server’s reply text, which may quote addresses', async () => {
      const quoting = await SmtpTestServer.start({
        replies: {
          // A reply that closes the channel pauses the server, and quotes
          // the recipient.
          data: () => ({
            code: 421,
            message:
              '4.7.0 Too much mail for victim.person@example.com, closing',
          }),
        },
      });
      try {
        const { server, mailer } = await start();
        await saveSettings(server, {
          ...tenantSettings(),
          'SMTP.Port': String(quoting.port),
          'SMTP.Security': 'none',
          'SMTP.AuthMethod': 'none',
        });
        captured.logLines.length = 0;
        await mailer.send({
          to: 'victim.person@example.com',
          subject: 's',
          text: 't',
        });
        await waitForPause(server);
        const logged = captured.logLines.join('\n');
        expect(logged).toMatch(/paused until .*421/);
        expect(logged).not.toContain('victim.person@example.com');
      } finally {
        await quoting.close();
      }
    });

    it('reports recipients the server refused while delivering to the others', async () => {
      const pickyServer = await SmtpTestServer.start({
        replies: {
          rcptTo: address =>
            address === 'gone@example.com'
              ? { code: 550, message: '5.1.1 No such user' }
              : undefined,
        },
      });
      try {
        const { server, mailer } = await start();
        await saveSettings(server, {
          ...tenantSettings(),
          'SMTP.Port': String(pickyServer.port),
          'SMTP.Security': 'none',
        });
        // This server asks for no login; nodemailer then skips AUTH.
        const { id } = await mailer.send({
          to: ['here@example.com', 'gone@example.com'],
          subject: 's',
          text: 't',
        });
        const result = await mailer.waitForDelivery(id);
        expect(result).toMatchObject({
          state: 'partial',
          rejected: ['gone@example.com'],
          recipients: [
            { address: 'here@example.com', state: 'sent' },
            {
              address: 'gone@example.com',
              state: 'failed',
              reply: {
                responseCode: 550,
                response: expect.stringContaining('5.1.1'),
              },
            },
          ],
        });
        const [message] = await pickyServer.waitForMessages(1);
        expect(message.envelope.rcptTo).toEqual(['here@example.com']);
      } finally {
        await pickyServer.close();
      }
    });

    it.each([
      [
        'a line break in the subject',
        { subject: 'Hi\r\nBcc: victim@example.com' },
        'subject',
      ],
      [
        'an invalid address',
        { to: 'not an address' },
        'to has an invalid address',
      ],
      [
        'a line break in a display name',
        { to: { name: 'A\nBcc: x@y.z', address: 'a@example.com' } },
        'display name',
      ],
      ['no recipient', { to: [] }, 'at least one recipient'],
      ['no body', { text: undefined }, 'text or html'],
    ])(
      'refuses a message with %s before anything is sent',
      async (_case, change, problem) => {
        const { mailer, queued } = await start();
        const message = {
          to: 'a@example.com',
          subject: 'ok',
          text: 'body',
          ...change,
        };
        await expect(mailer.send(message as any)).rejects.toThrow(problem);
        expect(await queued()).toBe(0);
      },
    );

    it('refuses attachments that point at files or URLs, even when posted directly', async () => {
      const { server, queued } = await start();
      for (const attachment of [
        { filename: 'passwd', path: '/etc/passwd' },
        { filename: 'page', href: 'http://127.0.0.1:1/' },
      ]) {
        const response = await request(server)
          .post('/api/mailer/messages')
          .set('Authorization', mockCredentials.service.header())
          .send({
            message: {
              to: 'a@example.com',
              subject: 's',
              text: 't',
              attachments: [attachment],
            },
          })
          .expect(400);
        expect(response.body.error.message).toContain(
          'file paths and URLs are not allowed',
        );
      }
      expect(await queued()).toBe(0);
    });

    it('accepts sends from other plugins only, not from users', async () => {
      const { server, queued } = await start();
      const message = { to: 'a@example.com', subject: 's', text: 't' };
      await request(server)
        .post('/api/mailer/messages')
        .set('Authorization', mockCredentials.user.header())
        .send({ message })
        .expect(403);
      await request(server)
        .post('/api/mailer/messages')
        .set('Authorization', mockCredentials.none.header())
        .send({ message })
        .expect(401);
      expect(await queued()).toBe(0);
    });

    it('refuses to send for a tenant this deployment does not serve', async () => {
      const { mailer, queued } = await start();
      await expect(
        mailer.send(
          { to: 'a@example.com', subject: 's', text: 't' },
          { tenantId: 'other' },
        ),
      ).rejects.toThrow('cannot send for tenant "other"');
      expect(await queued()).toBe(0);
    });
  },
);
