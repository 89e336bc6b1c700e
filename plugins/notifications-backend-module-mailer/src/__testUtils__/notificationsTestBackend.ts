import {
  BackendFeature,
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import {
  NotificationService,
  notificationService,
} from '@backstage/plugin-notifications-node';
import { JsonObject } from '@backstage/types';
// The tests run the real mailer beside the notifications plugin, as a portal does.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import mailerPlugin from '@elixeum/plugin-mailer-backend';
import { MailerService, mailerServiceRef } from '@elixeum/plugin-mailer-node';
import { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import notificationsModuleMailer from '..';
import { capturingRootLogger } from './capturedLogs';

/** The encryption keys the test backends were given: no log line may hold one. */
export const usedEncryptionKeys = new Set<string>();

/** The portal the tests' mail comes from. */
export const testPortal = {
  title: 'Test Portal',
  baseUrl: 'http://portal.test.example',
};
/** The default mailbox's sender in the tests. */
export const DEFAULT_FROM = 'no-reply@portal.test.example';

export interface NotificationsTestBackendOptions {
  /** Users and groups in the catalog. */
  entities: Entity[];
  /** The default mailbox's SMTP server (plain SMTP, no login). */
  defaultServer: { host: string; port: number };
  /** `notifications.processors.mailer`. */
  processorConfig?: JsonObject;
  /** More features, e.g. a template module or a mailer tenant module. */
  features?: BackendFeature[];
}

/**
 * A real backend with the notifications backend, this module, the mailer
 * backend (its default mailbox on `defaultServer`) and a catalog holding
 * `entities`. Each plugin gets a database of its own, as in a portal. A
 * plugin "sender" hands out the notification service other plugins use,
 * and the mailer service (an HTTP client of the mailer backend).
 */
export async function startNotificationsTestBackend(
  databases: TestDatabases,
  options: NotificationsTestBackendOptions,
) {
  const knexByPlugin = new Map<string, Promise<Knex>>();
  const databaseOf = (pluginId: string) => {
    if (!knexByPlugin.has(pluginId)) {
      knexByPlugin.set(pluginId, databases.init('SQLITE_3'));
    }
    return knexByPlugin.get(pluginId)!;
  };
  const sender: {
    notifications?: NotificationService;
    mailer?: MailerService;
  } = {};
  const encryptionKey = randomBytes(32).toString('base64');
  usedEncryptionKeys.add(encryptionKey);

  const backend = await startTestBackend({
    features: [
      notificationsPlugin,
      notificationsModuleMailer,
      mailerPlugin,
      catalogServiceMock.factory({ entities: options.entities }),
      capturingRootLogger,
      createServiceFactory({
        service: coreServices.database,
        deps: { plugin: coreServices.pluginMetadata },
        factory: ({ plugin }) => ({
          getClient: () => databaseOf(plugin.getId()),
        }),
      }),
      mockServices.rootConfig.factory({
        data: {
          app: testPortal,
          notifications: {
            processors: { mailer: options.processorConfig ?? {} },
          },
          mailer: {
            default: {
              host: options.defaultServer.host,
              port: options.defaultServer.port,
              security: 'none',
              from: DEFAULT_FROM,
            },
            encryption: { keys: [{ id: 'test', secret: encryptionKey }] },
            delivery: { pollInterval: '50ms' },
            // The tests' SMTP servers listen on random loopback ports.
            serverPolicy: {
              allowedHosts: [{ host: '127.0.0.1', ports: 'any' }],
            },
          },
        },
      }),
      createBackendPlugin({
        pluginId: 'sender',
        register(env) {
          env.registerInit({
            deps: {
              notifications: notificationService,
              mailer: mailerServiceRef,
            },
            async init({ notifications, mailer }) {
              sender.notifications = notifications;
              sender.mailer = mailer;
            },
          });
        },
      }),
      ...(options.features ?? []),
    ],
  });
  return {
    backend,
    server: backend.server,
    notifications: sender.notifications!,
    mailer: sender.mailer!,
    databaseOf,
  };
}
