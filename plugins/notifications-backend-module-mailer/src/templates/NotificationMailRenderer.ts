import { LoggerService } from '@backstage/backend-plugin-api';
import { Notification } from '@backstage/plugin-notifications-common';
import {
  PortalInfo,
  RenderedMail,
  renderMail,
} from '@elixeum/plugin-mailer-node';
import { NotificationTemplateRenderer } from '../extensions';
import { notificationMail } from './notificationMail';

/**
 * Renders a notification's email: each part from the renderer another module
 * registered, if it renders that part, else from the built-in template. A
 * renderer that throws costs its part, not the email. A broadcast is bulk
 * mail: the built-in template ends it with the recipient's unsubscribe link.
 */
export class NotificationMailRenderer {
  constructor(
    private readonly portal: PortalInfo,
    private readonly logger: LoggerService,
    private readonly custom?: NotificationTemplateRenderer,
  ) {}

  async render(notification: Notification): Promise<RenderedMail> {
    const builtIn = renderMail(
      notificationMail(notification, this.portal),
      this.portal,
      { bulk: isBroadcast(notification) },
    );
    const [subject, text, html] = await Promise.all([
      this.part('getSubject', notification),
      this.part('getText', notification),
      this.part('getHtml', notification),
    ]);
    return {
      // A subject is one header line: a template cannot add headers through it.
      subject:
        subject === undefined
          ? builtIn.subject
          : subject.replace(/\s+/g, ' ').trim(),
      text: text ?? builtIn.text,
      html: html ?? builtIn.html,
    };
  }

  private async part(
    method: keyof NotificationTemplateRenderer,
    notification: Notification,
  ): Promise<string | undefined> {
    const render = this.custom?.[method];
    if (!render) return undefined;
    try {
      return await render.call(this.custom, notification);
    } catch (error) {
      this.logger.warn(
        `Email template ${method} failed for notification ${notification.id}; using the built-in one: ${error}`,
      );
      return undefined;
    }
  }
}

/** A notification to everyone, not to a user (or the members of a group). */
export function isBroadcast(notification: Notification): boolean {
  return !notification.user;
}
