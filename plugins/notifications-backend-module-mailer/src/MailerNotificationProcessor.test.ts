import { mockServices } from '@backstage/backend-test-utils';
import { ServiceUnavailableError, InputError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Notification } from '@backstage/plugin-notifications-common';
import { MailerService } from '@elixeum/plugin-mailer-node';
import { userEntity } from './__testUtils__/catalogUsers';
import { MailerNotificationProcessor } from './MailerNotificationProcessor';
import { AddressPolicy } from './recipients/AddressPolicy';
import { NotificationRecipients } from './recipients/NotificationRecipients';
import { RecipientDirectory } from './recipients/RecipientDirectory';
import { NotificationMailRenderer } from './templates/NotificationMailRenderer';

const portal = { title: 'Portal', baseUrl: 'http://portal.example' };
const notification: Notification = {
  id: 'n-1',
  user: 'user:default/ada',
  origin: 'plugin:test',
  created: new Date(),
  payload: { title: 'Hello', severity: 'normal' },
};

/**
 * A mailer whose `sendMany` behaves as the real one does over `send`: a
 * message refused by itself gets its error in its place; anything else
 * (the mailer is unavailable) rejects the whole call.
 */
function fakeMailer(send: MailerService['send']): MailerService {
  return {
    send,
    sendMany: items =>
      Promise.all(
        items.map(async ({ message, options }) => {
          try {
            return await send(message, options);
          } catch (error) {
            if ((error as Error).name === 'InputError') {
              return { error: error as Error };
            }
            throw error;
          }
        }),
      ),
    sendBulk: jest.fn(),
    getStatus: jest.fn(),
    waitForDelivery: jest.fn(),
  };
}

function createProcessor(
  mailer: MailerService,
  catalogEntities = [userEntity('user:default/ada', 'ada@example.com')],
) {
  const logger = mockServices.logger.mock();
  const directory = new RecipientDirectory({
    catalog: catalogServiceMock({ entities: catalogEntities }),
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
    renderer: new NotificationMailRenderer(portal, logger),
    mailer,
    logger,
  });
  return { processor, logger };
}

/** Everything the processor logged, at every level, with each line's meta. */
function everythingLogged(
  logger: ReturnType<typeof mockServices.logger.mock>,
): string {
  return JSON.stringify(
    (['error', 'warn', 'info', 'debug'] as const).flatMap(level =>
      (logger[level] as jest.Mock).mock.calls.map(args => [level, ...args]),
    ),
  );
}

describe('MailerNotificationProcessor', () => {
  it('queues one transactional email for the user, for the user’s tenant', async () => {
    const send = jest.fn(async () => ({ id: 'm-1' }));
    const { processor } = createProcessor(fakeMailer(send));
    await processor.postProcess(notification);
    expect(send).toHaveBeenCalledWith(
      expect.objectContaining({ to: 'ada@example.com', subject: 'Hello' }),
      {
        forUser: 'user:default/ada',
        priority: 'transactional',
        idempotencyKey: expect.stringMatching(/^notification:/),
      },
    );
  });

  it('tries again when the mailer is briefly unavailable', async () => {
    const send = jest
      .fn()
      .mockRejectedValueOnce(new ServiceUnavailableError('restarting'))
      .mockResolvedValueOnce({ id: 'm-1' });
    const { processor, logger } = createProcessor(fakeMailer(send));
    await processor.postProcess(notification);
    expect(send).toHaveBeenCalledTimes(2);
    expect(logger.error).not.toHaveBeenCalled();
    expect(everythingLogged(logger)).not.toContain('ada@example.com');
  });

  it('never throws, and logs a refusal without the address', async () => {
    const send = jest.fn(async () => {
      throw new InputError('Invalid mail message: to has an invalid address');
    });
    const { processor, logger } = createProcessor(fakeMailer(send));
    await expect(processor.postProcess(notification)).resolves.toBeUndefined();
    // An InputError is final: no second attempt.
    expect(send).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledTimes(1);
    const [line] = logger.error.mock.calls[0];
    expect(line).toContain('notification n-1');
    // The line and its meta, at every level.
    expect(everythingLogged(logger)).not.toContain('ada@example.com');
  });

  it('tries twice more (after 0.5 s and 2 s) with the same key, then gives up and logs the notification and the reason, never the address', async () => {
    const calls: number[] = [];
    const send = jest.fn(async () => {
      calls.push(Date.now());
      throw new ServiceUnavailableError('the mailer is restarting');
    });
    const { processor, logger } = createProcessor(fakeMailer(send));
    await expect(processor.postProcess(notification)).resolves.toBeUndefined();
    expect(send).toHaveBeenCalledTimes(3);
    // Not sooner than it says (a timer may fire a millisecond early).
    expect(calls[1] - calls[0]).toBeGreaterThanOrEqual(500 - 5);
    expect(calls[2] - calls[1]).toBeGreaterThanOrEqual(2000 - 5);
    // One send, tried again: the same key each time, so it queues once.
    const keys = send.mock.calls.map(
      (call: unknown[]) =>
        (call[1] as { idempotencyKey?: string }).idempotencyKey,
    );
    expect(keys[0]).toBeDefined();
    expect(new Set(keys).size).toBe(1);
    expect(logger.error).toHaveBeenCalledTimes(1);
    const [line] = logger.error.mock.calls[0];
    expect(line).toContain('notification n-1');
    expect(line).toContain('the mailer is restarting');
    expect(everythingLogged(logger)).not.toContain('ada@example.com');
  }, 15_000);

  it('never throws when the catalog fails', async () => {
    const send = jest.fn();
    const { processor, logger } = createProcessor(fakeMailer(send));
    const broken = { ...notification, user: 'not a ref' };
    await expect(processor.postProcess(broken)).resolves.toBeUndefined();
    expect(send).not.toHaveBeenCalled();
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('Could not email notification n-1'),
    );
  });
});
