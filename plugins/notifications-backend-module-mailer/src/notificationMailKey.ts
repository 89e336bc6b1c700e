import { Notification } from '@backstage/plugin-notifications-common';
import { createHash } from 'node:crypto';
import { Recipient } from './recipients/NotificationRecipients';

/**
 * The idempotency key of one notification's email to one recipient: the
 * same notification handled again (a retry, a second run) queues no second
 * email. A scoped notification sent again keeps its id but gets a new
 * `updated` time, and so a new email. Hashed: addresses stay out of the key.
 */
export function notificationMailKey(
  notification: Notification,
  recipient: Recipient,
): string {
  // A Date from PostgreSQL, a number or text from SQLite: one form for all.
  const updated =
    notification.updated === undefined || notification.updated === null
      ? ''
      : String(new Date(notification.updated).getTime());
  const hash = createHash('sha256')
    .update(
      JSON.stringify([
        notification.id,
        updated,
        recipient.address.toLowerCase(),
        recipient.forUser ?? '',
      ]),
    )
    .digest('base64url');
  return `notification:${hash}`;
}
