import { SmtpTestServer } from '@internal/smtp-test-server';
import knexFactory, { Knex } from 'knex';
import {
  createConsumerPlugin,
  tenantFromCallerModule,
} from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import {
  recipients,
  saveTenantSettings,
  tenantServerSettings,
} from './__testUtils__/outboxHarness';
import { QueryWatch, watchQueries } from './__testUtils__/queryWatch';
import { sharedDatabaseConfig } from './__testUtils__/replica/startReplicaProcess';
import { createTestDatabases } from './__testUtils__/testDatabases';

// README: a messages-per-minute limit holds across replicas and is shared by
// the tenants that log in as the same account. The ledger's window is a
// minute of the database's clock; instead of waiting minutes, the test moves
// what was recorded a minute back once a window is used up.

const databases = createTestDatabases();
jest.setTimeout(120_000);

const LIMIT = 4;
const WINDOWS = 3;
const ACCOUNT = 'shared@tenant.example';

describe.each(databases.eachSupportedId())(
  'a messages-per-minute limit, on %s',
  databaseId => {
    const closing: Array<() => Promise<unknown>> = [];
    afterEach(async () => {
      for (const close of closing.splice(0).reverse()) await close();
    });

    /** Another replica's own connections; SQLite's test database lives on one. */
    function connectionsOfAnotherReplica(knex: Knex): Knex {
      if (databaseId === 'SQLITE_3') return knex;
      const other = knexFactory({
        ...sharedDatabaseConfig(knex),
        pool: { min: 0, max: 5 },
      });
      closing.push(() => other.destroy());
      return other;
    }

    // Proves it across database connections on PostgreSQL and MySQL; on
    // SQLite both replicas share one connection.
    it(`holds across two replicas and is shared by two tenants logging in as the same account, window after window`, async () => {
      const smtp = await SmtpTestServer.start();
      closing.push(() => smtp.close());
      const knex = await databases.init(databaseId);
      const replicas = [];
      for (const replicaKnex of [knex, connectionsOfAnotherReplica(knex)]) {
        const consumer = createConsumerPlugin();
        const started = await startMailerTestBackend(databases, databaseId, {
          defaultServer: { host: smtp.host, port: 1 },
          features: [consumer.plugin, tenantFromCallerModule],
          knex: replicaKnex,
        });
        closing.push(() => started.backend.stop());
        replicas.push({ ...started, mailer: consumer.mailer() });
      }
      // Each replica asks the ledger for the account's quota before it claims.
      const askedForQuota: QueryWatch[] = [
        ...new Set(replicas.map(r => r.knex)),
      ].map(replicaKnex =>
        watchQueries(replicaKnex, /mailer_rate_limit_locks/i, 'quota'),
      );
      closing.push(async () => askedForQuota.forEach(w => w.stop()));

      for (const tenant of ['alpha', 'beta']) {
        await saveTenantSettings(
          replicas[0].server,
          tenant,
          tenantServerSettings(smtp, {
            'SMTP.Username': ACCOUNT,
            'SMTP.RateLimit': String(LIMIT),
          }),
        );
      }
      // More than three windows' worth, queued through both replicas.
      await replicas[0].mailer.sendBulk(
        { subject: 'alpha', text: 'x' },
        recipients(8, 'alpha'),
        { tenantId: 'alpha' },
      );
      await replicas[1].mailer.sendBulk(
        { subject: 'beta', text: 'x' },
        recipients(8, 'beta'),
        { tenantId: 'beta' },
      );

      const claimed = async () => {
        const [{ n }] = await knex('mailer_outbox')
          .whereNot({ state: 'waiting' })
          .count({ n: '*' });
        return Number(n);
      };
      const perWindow: number[] = [];
      for (let window = 1; window <= WINDOWS; window++) {
        await smtp.waitForMessages(window * LIMIT, 20_000);
        // Every replica asked again twice after the window was used up, and
        // got nothing: no more was claimed, and no more arrived.
        await Promise.all(askedForQuota.map(watch => watch.next(2)));
        expect(await claimed()).toBe(window * LIMIT);
        perWindow.push(smtp.messages.length - LIMIT * (window - 1));
        // A minute later, on the database's clock.
        await knex('mailer_rate_limit_ledger').update({
          taken_at: knex.raw('taken_at - ?', [60_000]),
        });
      }
      expect(perWindow).toEqual(Array(WINDOWS).fill(LIMIT));
      // Both tenants' mail went out under the one limit.
      const subjects = new Set(smtp.messages.map(m => m.parsed.subject));
      expect(subjects).toEqual(new Set(['alpha', 'beta']));
      expect(new Set(smtp.messages.map(m => m.authenticatedUser))).toEqual(
        new Set([ACCOUNT]),
      );
    });
  },
);
