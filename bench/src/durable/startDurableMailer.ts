import {
  BackendFeature,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { BulkRecipient } from '@elixeum/plugin-mailer-common';
import { mailerServiceRef, MailerService } from '@elixeum/plugin-mailer-node';
import mailerPlugin from '@elixeum/plugin-mailer-backend';
import knexFactory, { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The SMTP server the durable path delivers to. */
export interface DurableTarget {
  host: string;
  port: number;
  user: string;
  pass: string;
  ca: string;
}

/** A running mailer backend: queue a mailing, then stop it and drop its database. */
export interface DurableMailer {
  /** Queues a mailing, for the default tenant unless `tenantId` is given. */
  sendBulk(
    recipients: Iterable<BulkRecipient> | AsyncIterable<BulkRecipient>,
    options?: { tenantId?: string },
  ): Promise<void>;
  /** Queues one transactional message, as a password reset is. */
  send(to: string, seq: number): Promise<void>;
  /** The database the mailer uses, e.g. to look at its queue. */
  knex: Knex;
  /** Where the backend serves HTTP, e.g. `http://127.0.0.1:7007`. */
  baseUrl: string;
  stop(): Promise<void>;
}

/** What a run changes of the durable mailer. */
export interface DurableMailerOptions {
  /** Merged over the bench's `mailer` config: `delivery` key by key, the rest as given (e.g. `serverPolicy`). */
  mailer?: JsonObject;
  /** Started beside the mailer, e.g. a tenant resolver. */
  features?: BackendFeature[];
}

const POSTGRES_URL =
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
  'postgresql://postgres@127.0.0.1:5432';

function profileQueries(knex: Knex) {
  if (process.env.BENCH_SQLPROF) {
    const started = new Map<string, number>();
    const agg = new Map<string, { n: number; ms: number }>();
    knex.on('query', (q: any) =>
      started.set(q.__knexQueryUid, performance.now()),
    );
    knex.on('query-response', (_r: any, q: any) => {
      const t = performance.now() - (started.get(q.__knexQueryUid) ?? 0);
      const key = String(q.sql)
        .replace(/\?(, \?)*/g, '?')
        .slice(0, 140);
      const a = agg.get(key) ?? { n: 0, ms: 0 };
      a.n += 1;
      a.ms += t;
      agg.set(key, a);
    });
    process.on('exit', () => {
      for (const [k, v] of [...agg]
        .sort((a, b) => b[1].ms - a[1].ms)
        .slice(0, 15))
        console.log(
          `${v.ms.toFixed(0).padStart(7)} ms ${String(v.n).padStart(6)}x ${k}`,
        );
    });
  }
}

/** A fresh database for one run; `drop` removes it again. */
export async function openBenchDatabase(
  engine: 'sqlite' | 'postgres',
): Promise<{ knex: Knex; drop(): Promise<void> }> {
  if (engine === 'sqlite') {
    // A file, not memory: durability means writing to disk.
    const dir = mkdtempSync(join(tmpdir(), 'mailer-bench-'));
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: join(dir, 'mailer.sqlite') },
      useNullAsDefault: true,
    });
    return {
      knex,
      drop: async () => {
        await knex.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `mailer_bench_${Date.now()}`;
  const admin = knexFactory({
    client: 'pg',
    connection: `${POSTGRES_URL}/postgres`,
  });
  await admin.raw(`CREATE DATABASE ${name}`);
  const knex = knexFactory({
    client: 'pg',
    connection: `${POSTGRES_URL}/${name}`,
  });
  return {
    knex,
    drop: async () => {
      await knex.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
      await admin.destroy();
    },
  };
}

/**
 * Starts the real mailer backend plugin (outbox, workers, pooled transports)
 * on a fresh database, with `target` as the default mailbox's server, and a
 * second plugin that queues mail through `mailerServiceRef` over HTTP, as any
 * consumer would.
 */
export async function startDurableMailer(
  engine: 'sqlite' | 'postgres',
  target: DurableTarget,
  options: DurableMailerOptions = {},
): Promise<DurableMailer> {
  const { delivery, ...mailerConfig } = options.mailer ?? {};
  const database = await openBenchDatabase(engine);
  profileQueries(database.knex);
  const consumer: { mailer?: MailerService } = {};
  const backend = await startTestBackend({
    features: [
      mailerPlugin,
      createBackendPlugin({
        pluginId: 'bench',
        register(env) {
          env.registerInit({
            deps: { mailer: mailerServiceRef },
            async init({ mailer }) {
              consumer.mailer = mailer;
            },
          });
        },
      }),
      ...(options.features ?? []),
      // Quiet unless asked: BENCH_LOG_LEVEL=warn shows what the mailer logs.
      mockServices.rootLogger.factory({
        level:
          (process.env.BENCH_LOG_LEVEL as
            'error' | 'warn' | 'info' | undefined) ?? 'none',
      }),
      mockServices.database.factory({ knex: database.knex }),
      mockServices.rootConfig.factory({
        data: {
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
            delivery: {
              maxConnections: 5,
              ...(process.env.BENCH_WINDOW && {
                windowPerConnection: Number(process.env.BENCH_WINDOW),
              }),
              ...(delivery as JsonObject | undefined),
            },
            ...mailerConfig,
          },
        },
      }),
    ],
  });
  const mailer = consumer.mailer!;
  return {
    async sendBulk(recipients, sendOptions) {
      await mailer.sendBulk(
        {
          subject: 'Bench message {{seq}}',
          text: 'Hello {{seq}}, this is a benchmark message.',
        },
        recipients,
        sendOptions,
      );
    },
    async send(to, seq) {
      await mailer.send({
        to,
        subject: `Bench message ${seq}`,
        text: 'Your password reset link: …',
      });
    },
    knex: database.knex,
    baseUrl: `http://127.0.0.1:${backend.server.port()}`,
    async stop() {
      await backend.stop();
      await database.drop();
    },
  };
}
