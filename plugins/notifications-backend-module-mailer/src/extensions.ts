import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { Notification } from '@backstage/plugin-notifications-common';

/**
 * Renders a notification's email. The same shape as the upstream email
 * module's renderer, so a template module ports by renaming its import. Each
 * method is optional: a part it does not render comes from the built-in
 * template. What `getHtml` returns is sent as it is: escape what you put in.
 *
 * @public
 */
export interface NotificationTemplateRenderer {
  getSubject?(notification: Notification): Promise<string>;
  getText?(notification: Notification): Promise<string>;
  getHtml?(notification: Notification): Promise<string>;
}

/**
 * Lets another module of the notifications plugin render the emails.
 *
 * @public
 */
export interface NotificationsMailerTemplateExtensionPoint {
  setTemplateRenderer(renderer: NotificationTemplateRenderer): void;
}

/**
 * The extension point for `NotificationsMailerTemplateExtensionPoint`.
 *
 * @public
 */
export const notificationsMailerTemplateExtensionPoint =
  createExtensionPoint<NotificationsMailerTemplateExtensionPoint>({
    id: 'notifications.mailer.templates',
  });
