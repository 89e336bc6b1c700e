import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationsProcessingExtensionPoint } from '@backstage/plugin-notifications-node';
import { mailerServiceRef, readPortalInfo } from '@elixeum/plugin-mailer-node';
import {
  DEFAULT_CHANNEL,
  findIgnoredUpstreamKeys,
  readMailerNotificationsConfig,
} from './config';
import {
  NotificationTemplateRenderer,
  notificationsMailerTemplateExtensionPoint,
} from './extensions';
import { MailerNotificationProcessor } from './MailerNotificationProcessor';
import { AddressPolicy } from './recipients/AddressPolicy';
import { NotificationRecipients } from './recipients/NotificationRecipients';
import { RecipientDirectory } from './recipients/RecipientDirectory';
import { NotificationMailRenderer } from './templates/NotificationMailRenderer';

/**
 * Emails Backstage notifications through the Elixeum mailer: the recipient
 * tenant's own SMTP server when it has one, the default mailbox otherwise,
 * through the mailer's durable outbox.
 *
 * @public
 */
export const notificationsModuleMailer = createBackendModule({
  pluginId: 'notifications',
  moduleId: 'mailer',
  register(env) {
    let templateRenderer: NotificationTemplateRenderer | undefined;
    env.registerExtensionPoint(notificationsMailerTemplateExtensionPoint, {
      setTemplateRenderer(renderer) {
        if (templateRenderer) {
          throw new Error(
            'The notifications email template renderer can only be set once',
          );
        }
        templateRenderer = renderer;
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        auth: coreServices.auth,
        cache: coreServices.cache,
        catalog: catalogServiceRef,
        mailer: mailerServiceRef,
        notifications: notificationsProcessingExtensionPoint,
      },
      async init({
        config,
        logger,
        auth,
        cache,
        catalog,
        mailer,
        notifications,
      }) {
        const settings = readMailerNotificationsConfig(config);
        for (const key of findIgnoredUpstreamKeys(config)) {
          logger.warn(
            `${key} is ignored: the mailer's settings decide the server and sender`,
          );
        }
        if (
          settings.channel === DEFAULT_CHANNEL &&
          config.has('notifications.processors.email')
        ) {
          // Both modules would answer to the channel "Email": two emails, one switch.
          logger.warn(
            'notifications.processors.email is configured too: if @backstage/plugin-notifications-backend-module-email is still installed, remove it, or users get every notification twice',
          );
        }

        const directory = new RecipientDirectory({
          catalog,
          auth,
          cache,
          ttlMs: settings.cacheTtlMs,
        });
        notifications.addProcessor(
          new MailerNotificationProcessor({
            channel: settings.channel,
            filter: settings.filter,
            recipients: new NotificationRecipients(
              directory,
              new AddressPolicy(settings.addressRules),
              settings.broadcast,
            ),
            renderer: new NotificationMailRenderer(
              readPortalInfo(config),
              logger,
              templateRenderer,
            ),
            mailer,
            logger,
          }),
        );
      },
    });
  },
});
