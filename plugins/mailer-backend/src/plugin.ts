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
import { MailDelivery } from './delivery/MailDelivery';
import { SmtpTransports } from './delivery/SmtpTransports';
import { createRouter } from './router';
import { ConnectionTester } from './service/ConnectionTester';
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
      },
      async init(deps) {
        const { config, logger, database, httpRouter, lifecycle } = deps;
        // Both throw with a clear message: no key, no start; never plain text.
        const mailerConfig = readMailerConfig(config);
        const cipher = SecretCipher.fromConfig(config);

        const store = await SettingsStore.create(database);
        const settings = new TenantSettingsService(
          store,
          cipher,
          mailerConfig.defaultServer.from,
        );
        const transports = new SmtpTransports(settings, mailerConfig);
        lifecycle.addShutdownHook(() => transports.close());

        deps.permissionsRegistry.addPermissions(mailerPermissions);
        httpRouter.use(
          await createRouter({
            settings,
            delivery: new MailDelivery(transports),
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
