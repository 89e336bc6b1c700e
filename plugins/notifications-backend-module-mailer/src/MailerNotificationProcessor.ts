import { LoggerService } from '@backstage/backend-plugin-api';
import { Notification } from '@backstage/plugin-notifications-common';
import {
  NotificationProcessor,
  NotificationProcessorFilters,
} from '@backstage/plugin-notifications-node';
import { MailerService } from '@elixeum/plugin-mailer-node';
import { NotificationRecipients } from './recipients/NotificationRecipients';
import { notificationMailKey } from './notificationMailKey';
import { queueWithRetry } from './queueWithRetry';
import {
  isBroadcast,
  NotificationMailRenderer,
} from './templates/NotificationMailRenderer';

/**
 * The list broadcasts go to: bulk mail, with one-click unsubscribe. A
 * recipient who leaves it still gets the notifications addressed to them.
 */
export const BROADCAST_LIST = 'notifications';

/**
 * Emails notifications through the Elixeum mailer. `postProcess` only queues
 * each email in the mailer's durable outbox, one per recipient, for the
 * recipient's tenant, all of a notification in one `sendMany`; sending,
 * retries and failures are the outbox's. It never throws: the
 * notifications backend does not wait for it.
 */
export class MailerNotificationProcessor implements NotificationProcessor {
  constructor(
    private readonly deps: {
      channel: string;
      filter: NotificationProcessorFilters;
      recipients: NotificationRecipients;
      renderer: NotificationMailRenderer;
      mailer: MailerService;
      logger: LoggerService;
    },
  ) {}

  /** The channel users switch on and off in their notification settings. */
  getName(): string {
    return this.deps.channel;
  }

  getNotificationFilters(): NotificationProcessorFilters {
    return this.deps.filter;
  }

  async postProcess(notification: Notification): Promise<void> {
    const { logger } = this.deps;
    try {
      const { recipients, skipped } =
        await this.deps.recipients.of(notification);
      if (skipped > 0) {
        logger.debug(
          `Notification ${notification.id}: ${skipped} recipient(s) without an address or outside the allowed addresses`,
        );
      }
      if (recipients.length === 0) return;
      const mail = await this.deps.renderer.render(notification);
      // Broadcasts can reach every user: they must not hold up password
      // resets, and are bulk mail to a list, which a recipient may leave.
      const broadcast = isBroadcast(notification);
      const priority = broadcast ? 'bulk' : 'transactional';
      const list = broadcast ? { listId: BROADCAST_LIST } : {};
      // All recipients in one call (the mailer commits them together), each
      // with its own tenant and key: retries and a second run queue each
      // email once.
      const results = await queueWithRetry(() =>
        this.deps.mailer.sendMany(
          recipients.map(recipient => ({
            message: { to: recipient.address, ...mail },
            options: {
              forUser: recipient.forUser,
              priority,
              idempotencyKey: notificationMailKey(notification, recipient),
              ...list,
            },
          })),
        ),
      );
      const refused = results.flatMap(r => ('error' in r ? [r.error] : []));
      if (refused.length > 0) {
        // Counts and the reason only: addresses stay out of the logs.
        logger.error(
          `Could not queue ${refused.length} of ${recipients.length} email(s) for notification ${notification.id}: ${refused[0]}`,
        );
      }
    } catch (error) {
      logger.error(`Could not email notification ${notification.id}: ${error}`);
    }
  }
}
