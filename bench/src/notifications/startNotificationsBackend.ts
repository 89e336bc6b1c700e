import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import upstreamEmailModule from '@backstage/plugin-notifications-backend-module-email';
import {
  NotificationService,
  notificationService,
} from '@backstage/plugin-notifications-node';
import { JsonObject } from '@backstage/types';
import mailerPlugin from '@elixeum/plugin-mailer-backend';
import mailerEmailModule from '@elixeum/plugin-notifications-backend-module-mailer';
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RECIPIENT_COUNT, recipientAddress } from '../messages';
import { SmtpTarget } from '../senders/types';

/** Which email module runs behind the notifications backend, and how it is set up. */
export interface NotificationsSetup {
  module: 'upstream' | 'mailer';
  /** Where every plugin keeps its data. Defaults to SQLite files. */
  database?: 'sqlite' | 'postgres';
  /** `notifications.*` (the backend's own throttle) and, for upstream, `processors.email.*` overrides. */
  notificationsConfig?: JsonObject;
}

/** A running notifications backend: send notifications, then stop it and drop its files. */
export interface RunningNotifications {
  notifications: NotificationService;
  stop(): Promise<void>;
}

/** The bench's recipients as catalog users, with their addresses. */
export function recipientRef(index: number): string {
  return `user:default/recipient-${index}`;
}

function recipientUsers(): Entity[] {
  return Array.from({ length: RECIPIENT_COUNT }, (_, index) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: `recipient-${index}`, namespace: 'default' },
    spec: { profile: { email: recipientAddress(index) }, memberOf: [] },
  }));
}

function emailConfig(
  setup: NotificationsSetup,
  target: SmtpTarget,
): JsonObject {
  if (setup.module === 'upstream') {
    return {
      email: {
        transportConfig: {
          transport: 'smtp',
          hostname: target.host,
          port: target.port,
          secure: false,
          requireTls: true,
          username: target.user,
          password: target.pass,
        },
        sender: 'bench@elixeum.cloud',
      },
    };
  }
  return { mailer: {} };
}

const POSTGRES_URL =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:5432';

/**
 * `backend.database` for the setup, and how to remove what it created: a
 * directory of SQLite files, or one PostgreSQL database per plugin under a
 * prefix of this run's own.
 */
function databaseFor(setup: NotificationsSetup): {
  config: JsonObject;
  drop(): Promise<void>;
} {
  if (setup.database !== 'postgres') {
    const dir = mkdtempSync(join(tmpdir(), 'notifications-bench-'));
    return {
      config: { client: 'better-sqlite3', connection: { directory: dir } },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const prefix = `notifications_bench_${Date.now()}_`;
  return {
    config: { client: 'pg', connection: POSTGRES_URL, prefix },
    drop: async () => {
      const admin = knexFactory({
        client: 'pg',
        connection: `${POSTGRES_URL}/postgres`,
      });
      try {
        const { rows } = await admin.raw(
          'SELECT datname FROM pg_database WHERE datname LIKE ?',
          [`${prefix}%`],
        );
        for (const { datname } of rows as Array<{ datname: string }>) {
          // FORCE: the backend's connection pools may still hold connections after stop.
          await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [datname]);
        }
      } finally {
        await admin.destroy();
      }
    },
  };
}

/** The module's processor config with the setup's overrides on top, key by key. */
function mergeProcessors(
  base: JsonObject,
  overrides: JsonObject | undefined,
): JsonObject {
  const merged: JsonObject = { ...base };
  for (const [name, value] of Object.entries(overrides ?? {})) {
    merged[name] = { ...(base[name] as JsonObject), ...(value as JsonObject) };
  }
  return merged;
}

/**
 * Starts the real notifications backend with one email module, a catalog of
 * the bench's recipients, and (for this project's module) the real mailer
 * backend whose default mailbox is `target`. Every plugin keeps its data in
 * a database of its own (an SQLite file, or a PostgreSQL database), as in a
 * portal. A plugin "bench" sends
 * through the notification service, as any plugin would.
 */
export async function startNotificationsBackend(
  setup: NotificationsSetup,
  target: SmtpTarget,
): Promise<RunningNotifications> {
  const database = databaseFor(setup);
  const sender: { notifications?: NotificationService } = {};
  const { processors, ...backendSettings } = setup.notificationsConfig ?? {};
  const backend = await startTestBackend({
    features: [
      notificationsPlugin,
      setup.module === 'upstream' ? upstreamEmailModule : mailerEmailModule,
      ...(setup.module === 'mailer' ? [mailerPlugin] : []),
      catalogServiceMock.factory({ entities: recipientUsers() }),
      // Quiet unless asked: BENCH_LOG_LEVEL=error shows what each module logs about failures.
      mockServices.rootLogger.factory({
        level:
          (process.env.BENCH_LOG_LEVEL as
            'error' | 'warn' | 'info' | undefined) ?? 'none',
      }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://portal.bench.example', title: 'Bench' },
          backend: { database: database.config },
          notifications: {
            ...backendSettings,
            processors: mergeProcessors(
              emailConfig(setup, target),
              processors as JsonObject | undefined,
            ),
          },
          mailer: {
            default: {
              host: target.host,
              port: target.port,
              security: 'starttls',
              auth: { user: target.user, pass: target.pass },
              from: 'bench@elixeum.cloud',
            },
            encryption: {
              keys: [
                { id: 'bench', secret: randomBytes(32).toString('base64') },
              ],
            },
            tls: { extraCaCertificates: [target.ca] },
            delivery: { maxConnections: 5 },
          },
        },
      }),
      createBackendPlugin({
        pluginId: 'bench',
        register(env) {
          env.registerInit({
            deps: { notifications: notificationService },
            async init({ notifications }) {
              sender.notifications = notifications;
            },
          });
        },
      }),
    ],
  });
  return {
    notifications: sender.notifications!,
    async stop() {
      await backend.stop();
      await database.drop();
    },
  };
}
