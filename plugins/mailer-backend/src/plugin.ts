import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mailerPermissions } from '@elixeum/plugin-mailer-common';
import {
  MailerTenantResolver,
  mailerTenantExtensionPoint,
} from '@elixeum/plugin-mailer-node';
import { readMailerConfig } from './config';
import { SecretCipher } from './crypto/SecretCipher';
import { SettingsStore } from './database/SettingsStore';
import { openDatabase } from './database/openDatabase';
import { OutboxStore } from './database/OutboxStore';
import { DeliveryWorker } from './delivery/DeliveryWorker';
import { SmtpTransports } from './delivery/SmtpTransports';
import { createRouter } from './router';
import { ConnectionTester } from './service/ConnectionTester';
import { MailQueue } from './service/MailQueue';
import { TenantSettingsService } from './service/TenantSettingsService';
import { SingleTenantResolver } from './tenancy/SingleTenantResolver';

/**
 * The mailer backend plugin: tenant notification settings (SMTP password
 * encrypted at rest) and the delivery of mail for other plugins.
 */
export const mailerPlugin = createBackendPlugin({
  pluginId: 'mailer',
  register(env) {
    let customTenantResolver: MailerTenantResolver | undefined;
    env.registerExtensionPoint(mailerTenantExtensionPoint, {
      setTenantResolver(resolver) {
        if (customTenantResolver) {
          throw new Error('The mailer tenant resolver can only be set once');
        }
        customTenantResolver = resolver;
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        lifecycle: coreServices.lifecycle,
        scheduler: coreServices.scheduler,
      },
      async init(deps) {
        const { config, logger, database, httpRouter, lifecycle, scheduler } =
          deps;
        // Both throw with a clear message: no key, no start; never plain text.
        const mailerConfig = readMailerConfig(config);
        const cipher = SecretCipher.fromConfig(config);

        const knex = await openDatabase(database);
        const settings = new TenantSettingsService(
          new SettingsStore(knex),
          cipher,
          mailerConfig.defaultServer.from,
        );
        const outbox = new OutboxStore(knex);
        const { delivery } = mailerConfig;
        const transports = new SmtpTransports(
          settings,
          mailerConfig.defaultServer,
          mailerConfig.extraCaCertificates,
          delivery,
        );
        const worker = new DeliveryWorker(
          outbox,
          transports,
          settings,
          delivery,
          logger,
        );
        worker.start();
        lifecycle.addShutdownHook(async () => {
          await worker.stop();
          transports.close();
        });

        // One replica at a time deletes what is past the retention period.
        await scheduler.scheduleTask({
          id: 'mailer-outbox-cleanup',
          frequency: { hours: 1 },
          timeout: { minutes: 10 },
          fn: async () => {
            const purged = await outbox.purgeFinished(
              Date.now() - delivery.retentionMs,
            );
            if (purged > 0)
              logger.info(`Deleted ${purged} delivered or failed messages`);
          },
        });

        deps.permissionsRegistry.addPermissions(mailerPermissions);
        httpRouter.use(
          await createRouter({
            settings,
            queue: new MailQueue(outbox, () => worker.wake()),
            tenants:
              customTenantResolver ??
              new SingleTenantResolver(mailerConfig.tenantId),
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            connectionTester: new ConnectionTester(
              settings,
              mailerConfig.extraCaCertificates,
            ),
          }),
        );
        const { host, port, from } = mailerConfig.defaultServer;
        logger.info(`Default mailbox ${from} via ${host}:${port}`);
      },
    });
  },
});
