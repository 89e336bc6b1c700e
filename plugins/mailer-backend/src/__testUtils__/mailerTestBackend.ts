import { BackendFeature } from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { mailerPlugin } from '../plugin';

/** A fresh encryption key per test run, as an operator would generate one. */
export const testEncryptionKey = randomBytes(32).toString('base64');

export interface MailerTestBackendOptions {
  /** The default mailbox's server. */
  defaultServer: { host: string; port: number; extra?: JsonObject };
  /** PEM certificates the mailer should trust (for STARTTLS test servers). */
  extraCaCertificates?: string[];
  /** Features to run beside the mailer plugin, e.g. permission mocks or a consumer plugin. */
  features?: BackendFeature[];
  /** `mailer.delivery` overrides; tests default to fast polling and retries. */
  delivery?: JsonObject;
  /** Reuse this database instead of a fresh one, e.g. for a second replica. */
  knex?: Knex;
}

/** Starts a real backend with the mailer plugin on one test database. */
export async function startMailerTestBackend(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
  options: MailerTestBackendOptions,
) {
  const knex = options.knex ?? (await databases.init(databaseId));
  const backend = await startTestBackend({
    features: [
      mailerPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          mailer: {
            default: {
              host: options.defaultServer.host,
              port: options.defaultServer.port,
              security: 'none',
              from: 'no-reply@elixeum.cloud',
              ...options.defaultServer.extra,
            },
            encryption: { keys: [{ id: 'test-1', secret: testEncryptionKey }] },
            tls: { extraCaCertificates: options.extraCaCertificates ?? [] },
            delivery: {
              pollIntervalMs: 50,
              retry: { initialDelaySeconds: 0.05, maxDelaySeconds: 0.2 },
              ...options.delivery,
            },
          },
        },
      }),
      ...(options.features ?? []),
    ],
  });
  return { backend, knex, server: backend.server };
}
