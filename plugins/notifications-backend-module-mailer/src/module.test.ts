import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import {
  escapeHtml,
  mailerTenantExtensionPoint,
} from '@elixeum/plugin-mailer-node';
import { ReceivedMessage, SmtpTestServer } from '@internal/smtp-test-server';
import { Knex } from 'knex';
import request from 'supertest';
import { groupEntity, userEntity } from './__testUtils__/catalogUsers';
import {
  assertNothingLeaked,
  capturedLogLines,
} from './__testUtils__/capturedLogs';
import {
  DEFAULT_FROM,
  NotificationsTestBackendOptions,
  startNotificationsTestBackend,
  usedEncryptionKeys,
} from './__testUtils__/notificationsTestBackend';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { switchChannelOff } from './__testUtils__/userSettings';
import { notificationsMailerTemplateExtensionPoint } from './extensions';
import { MailerNotificationProcessor } from './MailerNotificationProcessor';

const databases = createTestDatabases();

// Each test starts a whole backend (four plugins, their migrations) and
// waits for SMTP: more than Jest's default 5 s when the machine is busy.
jest.setTimeout(30_000);

const ORIGIN = 'plugin:sender';
const TENANT_PASSWORD = 'tenant-Secret-7f3a!';

const entities = [
  userEntity('user:default/ada', 'ada@example.com'),
  userEntity('user:default/grace', 'grace@example.com'),
  userEntity('user:default/hank'),
  userEntity('user:default/mallory', 'mallory@elsewhere.example'),
  groupEntity('group:default/team', [
    'user:default/ada',
    'user:default/grace',
    'user:default/hank',
  ]),
];

let defaultServer: SmtpTestServer;
let tenantServer: SmtpTestServer;
beforeAll(async () => {
  defaultServer = await SmtpTestServer.start();
  tenantServer = await SmtpTestServer.start({
    users: { 'portal@tenant.example': TENANT_PASSWORD },
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

const running: Array<{ stop(): Promise<void> }> = [];
// A backend left running would deliver its mail into the next test.
afterEach(async () => {
  await Promise.all(running.splice(0).map(backend => backend.stop()));
});
// Whatever a test did, no log line holds the tenant's password or a key.
afterEach(() => {
  const lines = capturedLogLines.splice(0);
  assertNothingLeaked(lines, [TENANT_PASSWORD, ...usedEncryptionKeys]);
});

/** The mailer's database of the test's backend, to see what was queued. */
let mailerDatabase: () => Promise<Knex>;

async function start(options: Partial<NotificationsTestBackendOptions> = {}) {
  const started = await startNotificationsTestBackend(databases, {
    entities,
    defaultServer: { host: defaultServer.host, port: defaultServer.port },
    ...options,
  });
  running.push(started.backend);
  mailerDatabase = () => started.databaseOf('mailer');
  return started;
}

// Every notification the module is handed, through the real processor: a
// test can wait until it has dealt with each one instead of sleeping.
const postProcessed = jest.spyOn(
  MailerNotificationProcessor.prototype,
  'postProcess',
);
afterAll(() => postProcessed.mockRestore());

/**
 * Resolves once the module has dealt with every notification it was handed
 * (the notifications backend hands them over without waiting) and the
 * mailer has delivered all it queued: mail that should not come would be in
 * the outbox by then. The notifications of a test are sent one after the
 * other, so the last one's mail arriving means the earlier ones were handed
 * over before it.
 */
async function allHandled() {
  await Promise.allSettled(postProcessed.mock.results.map(r => r.value));
  const knex = await mailerDatabase();
  const unfinished = async () => {
    // Sent, or final without sending (a suppressed recipient).
    const [{ n }] = await knex('mailer_outbox')
      .whereIn('state', ['waiting', 'sending'])
      .count({ n: '*' });
    return Number(n);
  };
  const deadline = Date.now() + 10_000;
  while ((await unfinished()) > 0) {
    if (Date.now() > deadline) throw new Error('The outbox was not delivered');
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

function toUser(
  entityRef: string | string[],
  payload: Partial<NotificationSendOptions['payload']> = {},
): NotificationSendOptions {
  return {
    recipients: { type: 'entity', entityRef },
    payload: { title: 'Build failed', ...payload },
  };
}

const broadcast = (title: string): NotificationSendOptions => ({
  recipients: { type: 'broadcast' },
  payload: { title },
});

const recipientsOf = (messages: ReceivedMessage[]) =>
  messages.flatMap(m => m.envelope.rcptTo).sort();

/** A header of a received message, as sent. */
const headerOf = (message: ReceivedMessage, name: string) => {
  const value = message.parsed.headerLines.find(h => h.key === name)?.line;
  return value
    ?.slice(value.indexOf(':') + 1)
    .replace(/\r?\n\s+/g, ' ')
    .trim();
};

/** The https (here: http) one-click link of a broadcast's `List-Unsubscribe`. */
const unsubscribeLink = (message: ReceivedMessage) => {
  const link = headerOf(message, 'list-unsubscribe')?.match(
    /<(https?:[^>]+)>/,
  )?.[1];
  if (!link) throw new Error('The message has no unsubscribe link');
  return link;
};

/**
 * Waits for `count` messages at `server` and until everything the module
 * was handed is dealt with, so a test can assert that the mail sent before
 * them never came.
 */
async function settle(server: SmtpTestServer, count: number) {
  await server.waitForMessages(count);
  await allHandled();
  return server.messages;
}

describe('notifications by email through the mailer', () => {
  it("mails a user's notification to their catalog address, from the default mailbox, linking into the portal", async () => {
    const { notifications } = await start();
    await notifications.send(
      toUser('user:default/ada', {
        description: 'The nightly build failed.\n\nSee the logs.',
        link: '/catalog/default/component/api',
      }),
    );

    const [message] = await defaultServer.waitForMessages(1);
    expect(message.envelope).toEqual({
      mailFrom: DEFAULT_FROM,
      rcptTo: ['ada@example.com'],
    });
    expect(message.parsed.subject).toBe('Build failed');
    expect(message.parsed.text).toContain('The nightly build failed.');
    expect(message.parsed.text).toContain(
      'Open in Test Portal: http://portal.test.example/catalog/default/component/api',
    );
    expect(message.parsed.html).toContain(
      '<a href="http://portal.test.example/catalog/default/component/api">',
    );
    // The footer leads to the user's own switches, not to the admins' email settings.
    expect(message.parsed.text).toContain(
      'You can switch them off in your own settings: http://portal.test.example/settings/notifications',
    );
    expect(message.parsed.text).not.toContain('email-settings');
  });

  it('links a relative link under app.baseUrl and an absolute one as given', async () => {
    const { notifications } = await start();
    await notifications.send(
      toUser('user:default/ada', {
        title: 'Relative',
        link: '\\\\other.example/catalog',
      }),
    );
    await notifications.send(
      toUser('user:default/grace', {
        title: 'Absolute',
        link: 'https://status.other.example/incidents/7',
      }),
    );

    const messages = await defaultServer.waitForMessages(2);
    const textOf = (subject: string) =>
      messages.find(m => m.parsed.subject === subject)?.parsed.text;
    expect(textOf('Relative')).toContain(
      'Open in Test Portal: http://portal.test.example/other.example/catalog',
    );
    expect(textOf('Absolute')).toContain(
      'Open in Test Portal: https://status.other.example/incidents/7',
    );
  });

  it('mails each member of a group once, and skips members without an address', async () => {
    const { notifications } = await start();
    await notifications.send(toUser('group:default/team'));

    const messages = await settle(defaultServer, 2);
    expect(recipientsOf(messages)).toEqual([
      'ada@example.com',
      'grace@example.com',
    ]);
    // One email per recipient: nobody sees who else got it.
    expect(messages.every(m => m.envelope.rcptTo.length === 1)).toBe(true);
  });

  it('mails nobody who switched the channel off; switching the web channel off does not stop email', async () => {
    const { notifications, server } = await start();
    await switchChannelOff(server, {
      user: 'user:default/grace',
      channel: 'Email',
      origin: ORIGIN,
    });
    await switchChannelOff(server, {
      user: 'user:default/ada',
      channel: 'Web',
      origin: ORIGIN,
    });
    await notifications.send(toUser(['user:default/grace']));
    await notifications.send(toUser(['user:default/ada']));

    const messages = await settle(defaultServer, 1);
    expect(recipientsOf(messages)).toEqual(['ada@example.com']);
  });

  it('escapes a <script> in the title and description in the HTML part', async () => {
    const { notifications } = await start();
    const title = '<script>alert("title")</script> deployed';
    const description = '<img src=x onerror="alert(1)"> & <b>bold</b>';
    await notifications.send(
      toUser('user:default/ada', { title, description }),
    );

    const [message] = await defaultServer.waitForMessages(1);
    const html = String(message.parsed.html);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>bold');
    expect(html).toContain(escapeHtml(title));
    expect(html).toContain(escapeHtml(description));
    // The text part and the subject carry the words as written.
    expect(message.parsed.subject).toBe(title);
    expect(message.parsed.text).toContain(description);
  });

  it('mails only notifications within the severity filter and outside the excluded topics', async () => {
    const { notifications } = await start({
      processorConfig: {
        filter: { minSeverity: 'high', excludedTopics: ['noisy'] },
      },
    });
    const ada = 'user:default/ada';
    await notifications.send(toUser(ada, { title: 'normal' }));
    await notifications.send(toUser(ada, { title: 'low', severity: 'low' }));
    await notifications.send(
      toUser(ada, { title: 'noisy', severity: 'critical', topic: 'noisy' }),
    );
    await notifications.send(toUser(ada, { title: 'high', severity: 'high' }));

    const messages = await settle(defaultServer, 1);
    expect(messages.map(m => m.parsed.subject)).toEqual(['high']);
    expect(messages[0].parsed.text).toContain('Severity: high');
  });

  describe('broadcasts', () => {
    it('are not mailed without a broadcastConfig', async () => {
      const { notifications } = await start();
      await notifications.send(broadcast('to everyone'));
      await notifications.send(toUser('user:default/ada', { title: 'marker' }));

      const messages = await settle(defaultServer, 1);
      expect(messages.map(m => m.parsed.subject)).toEqual(['marker']);
    });

    it('go to every user with an address when the receiver is users, within the address rules', async () => {
      const { notifications } = await start({
        processorConfig: {
          broadcastConfig: { receiver: 'users' },
          allowedEmailDomains: ['example.com'],
          allowlistEmailAddresses: ['Mallory@Elsewhere.example'],
          denylistEmailAddresses: ['grace@example.com'],
        },
      });
      await notifications.send(broadcast('maintenance tonight'));

      const messages = await settle(defaultServer, 2);
      expect(recipientsOf(messages)).toEqual([
        'ada@example.com',
        'mallory@elsewhere.example',
      ]);
      expect(messages[0].parsed.subject).toBe('maintenance tonight');
    });

    it('go to the listed addresses when the receiver is config', async () => {
      const { notifications } = await start({
        processorConfig: {
          broadcastConfig: {
            receiver: 'config',
            receiverEmails: ['ops@example.com', 'oncall@example.com'],
          },
        },
      });
      await notifications.send(broadcast('maintenance tonight'));

      const messages = await settle(defaultServer, 2);
      expect(recipientsOf(messages)).toEqual([
        'oncall@example.com',
        'ops@example.com',
      ]);
    });

    it("are bulk mail to the notifications list: each carries its recipient's one-click unsubscribe link, a user's own notification none", async () => {
      const { notifications } = await start({
        processorConfig: { broadcastConfig: { receiver: 'users' } },
      });
      await notifications.send(broadcast('maintenance tonight'));
      await notifications.send(toUser('user:default/ada', { title: 'yours' }));

      const messages = await settle(defaultServer, 4);
      const broadcasts = messages.filter(
        m => m.parsed.subject === 'maintenance tonight',
      );
      expect(recipientsOf(broadcasts)).toEqual([
        'ada@example.com',
        'grace@example.com',
        'mallory@elsewhere.example',
      ]);
      for (const message of broadcasts) {
        const link = unsubscribeLink(message);
        expect(headerOf(message, 'list-unsubscribe-post')).toBe(
          'List-Unsubscribe=One-Click',
        );
        expect(headerOf(message, 'list-id')).toBe(
          `<notifications.default.${DEFAULT_FROM.split('@')[1]}>`,
        );
        // The layout's visible link is the same, in both parts.
        expect(message.parsed.text).toContain(`Unsubscribe: ${link}`);
        expect(message.parsed.html).toContain(`href="${link}"`);
      }
      const [own] = messages.filter(m => m.parsed.subject === 'yours');
      expect(headerOf(own, 'list-unsubscribe')).toBeUndefined();
      expect(own.parsed.text).not.toMatch(/unsubscribe/i);
    });

    it('stop for a recipient who unsubscribed, while their own notifications still come', async () => {
      const { notifications, server } = await start({
        processorConfig: { broadcastConfig: { receiver: 'users' } },
      });
      await notifications.send(broadcast('first'));
      const [first] = (await settle(defaultServer, 3)).filter(m =>
        m.envelope.rcptTo.includes('ada@example.com'),
      );
      await request(server)
        .post(new URL(unsubscribeLink(first)).pathname)
        .set('Authorization', mockCredentials.none.header())
        .type('form')
        .send('List-Unsubscribe=One-Click')
        .expect(200);

      defaultServer.reset();
      await notifications.send(broadcast('second'));
      await notifications.send(toUser('user:default/ada', { title: 'yours' }));
      const messages = await settle(defaultServer, 3);
      expect(
        messages.map(m => [m.envelope.rcptTo[0], m.parsed.subject]).sort(),
      ).toEqual([
        ['ada@example.com', 'yours'],
        ['grace@example.com', 'second'],
        ['mallory@elsewhere.example', 'second'],
      ]);
    });
  });

  it("goes out through the tenant's own SMTP server once the tenant saved one", async () => {
    const { notifications, server } = await start();
    await request(server)
      .put('/api/mailer/settings')
      .send({
        values: {
          'SMTP.Server': tenantServer.host,
          'SMTP.Port': tenantServer.port,
          'SMTP.Username': 'portal@tenant.example',
          'SMTP.Password': TENANT_PASSWORD,
          'SMTP.Security': 'none',
        },
      })
      .expect(200);

    await notifications.send(toUser('user:default/ada'));

    const [message] = await tenantServer.waitForMessages(1);
    expect(message.authenticatedUser).toBe('portal@tenant.example');
    expect(message.envelope).toEqual({
      mailFrom: 'portal@tenant.example',
      rcptTo: ['ada@example.com'],
    });
    await allHandled();
    expect(defaultServer.messages).toHaveLength(0);
  });

  it("mails each recipient through their own tenant's server on a multi-tenant host", async () => {
    // The host's resolver: a user's tenant is the namespace of their entity ref.
    const namespaceOf = (ref: string) => ref.split(':')[1].split('/')[0];
    const tenantModule = createBackendModule({
      pluginId: 'mailer',
      moduleId: 'tenant-by-namespace',
      register(env) {
        env.registerInit({
          deps: { tenants: mailerTenantExtensionPoint },
          async init({ tenants }) {
            tenants.setTenantResolver({
              async resolveTenant({ credentials }) {
                const { userEntityRef } = credentials.principal as {
                  userEntityRef?: string;
                };
                return userEntityRef ? namespaceOf(userEntityRef) : 'platform';
              },
              resolveUserTenant: async ({ userEntityRef }) =>
                namespaceOf(userEntityRef),
            });
          },
        });
      },
    });
    const { notifications, server } = await start({
      entities: [
        ...entities,
        userEntity('user:acme/wile', 'wile@acme.example'),
      ],
      features: [tenantModule],
    });
    await request(server)
      .put('/api/mailer/settings')
      .set('Authorization', mockCredentials.user.header('user:acme/admin'))
      .send({
        values: {
          'SMTP.Server': tenantServer.host,
          'SMTP.Port': tenantServer.port,
          'SMTP.Username': 'portal@tenant.example',
          'SMTP.Password': TENANT_PASSWORD,
          'SMTP.Security': 'none',
        },
      })
      .expect(200);

    await notifications.send(toUser(['user:acme/wile', 'user:default/ada']));

    const [acme] = await tenantServer.waitForMessages(1);
    const [other] = await defaultServer.waitForMessages(1);
    expect(acme.envelope.rcptTo).toEqual(['wile@acme.example']);
    expect(other.envelope.rcptTo).toEqual(['ada@example.com']);
  });

  it("renders with another module's templates, and the built-in one for the parts they leave out", async () => {
    const templateModule = createBackendModule({
      pluginId: 'notifications',
      moduleId: 'test-templates',
      register(env) {
        env.registerInit({
          deps: { templates: notificationsMailerTemplateExtensionPoint },
          async init({ templates }) {
            templates.setTemplateRenderer({
              getSubject: async n => `[${n.origin}] ${n.payload.title}`,
              getHtml: async n =>
                `<p>Custom: ${escapeHtml(n.payload.title)}</p>`,
            });
          },
        });
      },
    });
    const { notifications } = await start({ features: [templateModule] });
    await notifications.send(toUser('user:default/ada'));

    const [message] = await defaultServer.waitForMessages(1);
    expect(message.parsed.subject).toBe('[plugin:sender] Build failed');
    expect(message.parsed.html).toContain('<p>Custom: Build failed</p>');
    expect(message.parsed.text).toContain('Open in Test Portal:');
  });
});
