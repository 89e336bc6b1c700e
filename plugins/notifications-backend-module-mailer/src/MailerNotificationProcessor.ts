import { LoggerService } from '@backstage/backend-plugin-api';
import { Notification } from '@backstage/plugin-notifications-common';
import {
  NotificationProcessor,
  NotificationProcessorFilters,
} from '@backstage/plugin-notifications-node';
import { MailerService } from '@elixeum/plugin-mailer-node';
import {
  NotificationRecipients,
  Recipient,
} from './recipients/NotificationRecipients';
import { notificationMailKey } from './notificationMailKey';
import { queueWithRetry } from './queueWithRetry';
import {
  isBroadcast,
  NotificationMailRenderer,
} from './templates/NotificationMailRenderer';

/** Emails of one broadcast queued at once: enough to be quick, few enough not to flood the mailer. */
const QUEUE_CONCURRENCY = 8;

/**
 * The list broadcasts go to: bulk mail, with one-click unsubscribe. A
 * recipient who leaves it still gets the notifications addressed to them.
 */
export const BROADCAST_LIST = 'notifications';

/**
 * Emails notifications through the Elixeum mailer. `postProcess` only queues
 * each email in the mailer's durable outbox, one per recipient, for the
 * recipient's tenant; sending, retries and failures are the outbox's. It
 * never throws: the notifications backend does not wait for it.
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
      const failures = await this.queueAll(recipients, async recipient => {
        // One key for every try: retries and a second run queue one email.
        const idempotencyKey = notificationMailKey(notification, recipient);
        await queueWithRetry(() =>
          this.deps.mailer.send(
            { to: recipient.address, ...mail },
            { forUser: recipient.forUser, priority, idempotencyKey, ...list },
          ),
        );
      });
      if (failures.count > 0) {
        // Counts and the reason only: addresses stay out of the logs.
        logger.error(
          `Could not queue ${failures.count} of ${recipients.length} email(s) for notification ${notification.id}: ${failures.first}`,
        );
      }
    } catch (error) {
      logger.error(`Could not email notification ${notification.id}: ${error}`);
    }
  }

  private async queueAll(
    recipients: Recipient[],
    queue: (recipient: Recipient) => Promise<void>,
  ): Promise<{ count: number; first?: unknown }> {
    const failures: { count: number; first?: unknown } = { count: 0 };
    let next = 0;
    const worker = async () => {
      while (next < recipients.length) {
        const recipient = recipients[next++];
        try {
          await queue(recipient);
        } catch (error) {
          failures.count += 1;
          failures.first ??= error;
        }
      }
    };
    await Promise.all(
      Array.from(
        { length: Math.min(QUEUE_CONCURRENCY, recipients.length) },
        worker,
      ),
    );
    return failures;
  }
}
