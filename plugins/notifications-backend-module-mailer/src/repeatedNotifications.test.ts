import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Notification } from '@backstage/plugin-notifications-common';
import { MailerService } from '@elixeum/plugin-mailer-node';
import { SmtpTestServer } from '@internal/smtp-test-server';
import { Knex } from 'knex';
import { userEntity } from './__testUtils__/catalogUsers';
import {
  startNotificationsTestBackend,
  testPortal,
} from './__testUtils__/notificationsTestBackend';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { MailerNotificationProcessor } from './MailerNotificationProcessor';
import { AddressPolicy } from './recipients/AddressPolicy';
import { NotificationRecipients } from './recipients/NotificationRecipients';
import { RecipientDirectory } from './recipients/RecipientDirectory';
import { NotificationMailRenderer } from './templates/NotificationMailRenderer';

// A notification handled twice (the processor run again, its retries after
// a lost answer) queues one email per recipient: each carries a key made of
// the notification and the recipient.

const databases = createTestDatabases();
jest.setTimeout(30_000);

const entities = [userEntity('user:default/ada', 'ada@example.com')];

let smtp: SmtpTestServer;
beforeAll(async () => {
  smtp = await SmtpTestServer.start();
});
afterAll(() => smtp.close());
beforeEach(() => smtp.reset());

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map(backend => backend.stop()));
});

/** The module's processor, with the real mailer client of a running backend. */
function processorWith(mailer: MailerService) {
  const logger = mockServices.logger.mock();
  const directory = new RecipientDirectory({
    catalog: catalogServiceMock({ entities }),
    auth: mockServices.auth(),
    cache: mockServices.cache.mock({
      get: jest.fn(async () => undefined),
      set: jest.fn(async () => {}),
    }),
    ttlMs: 1000,
  });
  const processor = new MailerNotificationProcessor({
    channel: 'Email',
    filter: {},
    recipients: new NotificationRecipients(directory, new AddressPolicy({}), {
      receiver: 'none',
    }),
    renderer: new NotificationMailRenderer(testPortal, logger),
    mailer,
    logger,
  });
  return { processor, logger };
}

const outboxRows = async (knex: Knex) => {
  const [{ n }] = await knex('mailer_outbox').count({ n: '*' });
  return Number(n);
};

describe('a notification handled more than once', () => {
  async function start() {
    const started = await startNotificationsTestBackend(databases, {
      entities,
      defaultServer: { host: smtp.host, port: smtp.port },
    });
    running.push(started.backend);
    return { ...started, mailerDb: await started.databaseOf('mailer') };
  }

  const notification: Notification = {
    id: 'f0d9a7e4-6c1b-4f7e-9a44-3d2b1c0e9f11',
    user: 'user:default/ada',
    origin: 'plugin:sender',
    created: new Date('2026-12-06T10:00:00Z'),
    payload: { title: 'Build failed', severity: 'normal' },
  };

  it('queues one email when the processor handles the same notification twice', async () => {
    const { mailer, mailerDb } = await start();
    const { processor, logger } = processorWith(mailer);
    await processor.postProcess(notification);
    await processor.postProcess(notification);
    expect(logger.error).not.toHaveBeenCalled();
    expect(await outboxRows(mailerDb)).toBe(1);
    const [message] = await smtp.waitForMessages(1);
    expect(message.envelope.rcptTo).toEqual(['ada@example.com']);
  });

  it('queues a new email when a scoped notification is sent again (same id, new update time)', async () => {
    const { mailer, mailerDb } = await start();
    const { processor, logger } = processorWith(mailer);
    await processor.postProcess(notification);
    await processor.postProcess({
      ...notification,
      updated: new Date('2026-12-06T11:00:00Z'),
    });
    expect(logger.error).not.toHaveBeenCalled();
    expect(await outboxRows(mailerDb)).toBe(2);
    await smtp.waitForMessages(2);
  });

  it('through the notifications backend: a scoped notification sent twice is mailed twice', async () => {
    const { notifications, mailerDb } = await start();
    const scoped = {
      recipients: { type: 'entity' as const, entityRef: 'user:default/ada' },
      payload: { title: 'Build failed', scope: 'build-7' },
    };
    await notifications.send(scoped);
    await smtp.waitForMessages(1);
    await notifications.send(scoped);
    await smtp.waitForMessages(2);
    expect(await outboxRows(mailerDb)).toBe(2);
  });
});
