import { Notification } from '@backstage/plugin-notifications-common';
import {
  MailContent,
  portalLink,
  PortalInfo,
} from '@elixeum/plugin-mailer-node';

/** The notifications page of the app, where a notification without a link points. */
const NOTIFICATIONS_PAGE = '/notifications';

/**
 * Backstage's settings page, on the tab where each user switches
 * notification channels: the user's own switches, not the admins' mail setup.
 */
const USER_NOTIFICATION_SETTINGS = '/settings/notifications';

/**
 * Built-in template: a notification as an email. The subject is the
 * notification's title, as with the upstream module, so mail rules keep
 * matching; the description's blank lines separate paragraphs.
 */
export function notificationMail(
  notification: Notification,
  portal: PortalInfo,
): MailContent {
  const { title, description, link, severity } = notification.payload;
  const paragraphs = description ? description.split(/\r?\n\s*\r?\n/) : [];
  if (severity === 'critical' || severity === 'high') {
    paragraphs.unshift(`Severity: ${severity}`);
  }
  return {
    subject: title,
    paragraphs,
    action: {
      label: `Open in ${portal.title}`,
      link: link ?? NOTIFICATIONS_PAGE,
    },
    footer: notification.user
      ? `You get this email because you receive ${portal.title} notifications by email. You can switch them off in your own settings: ${portalLink(USER_NOTIFICATION_SETTINGS, portal)}`
      : `Sent by ${portal.title} to announce something to its users.`,
  };
}
