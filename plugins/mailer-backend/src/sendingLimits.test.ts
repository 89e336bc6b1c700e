import { DeliverySummary } from '@elixeum/plugin-mailer-common';
import { mockCredentials } from '@backstage/backend-test-utils';
import { SmtpTestServer } from '@internal/smtp-test-server';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import {
  createConsumerPlugin,
  tenantFromCallerModule,
} from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import {
  eventually,
  recipients,
  saveTenantSettings,
  tenantServerSettings,
} from './__testUtils__/outboxHarness';
import { sharedDatabaseConfig } from './__testUtils__/replica/startReplicaProcess';
import { createTestDatabases } from './__testUtils__/testDatabases';

// README: a provider's day limit (recipients in any 24 hours) holds across
// replicas; used up, it pauses the tenant until the first of the day's
// recipients are a day old, with the reason in the delivery view. Instead
// of waiting a day, the test moves the ledger and the pause back.

const databases = createTestDatabases();
jest.setTimeout(120_000);

const DAY = 24 * 60 * 60_000;
const DAILY_LIMIT = 5;

describe.each(databases.eachSupportedId())('a day limit, on %s', databaseId => {
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

  it('sends to no more recipients a day than it allows across two replicas, pauses the tenant with the reason until the day frees up, then sends the rest', async () => {
    const smtp = await SmtpTestServer.start();
    closing.push(() => smtp.close());
    const knex = await databases.init(databaseId);
    const replicas: Array<
      Awaited<ReturnType<typeof startMailerTestBackend>> & {
        mailer: ReturnType<ReturnType<typeof createConsumerPlugin>['mailer']>;
      }
    > = [];
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
    // Exchange Online's preset, with its day limit lowered for the test.
    await saveTenantSettings(
      replicas[0].server,
      'alpha',
      tenantServerSettings(smtp, {
        'SMTP.LimitPreset': 'exchange-online',
        'SMTP.DailyLimit': String(DAILY_LIMIT),
      }),
    );
    await replicas[0].mailer.sendBulk(
      { subject: 'one', text: 'x' },
      recipients(4, 'one'),
      { tenantId: 'alpha' },
    );
    await replicas[1].mailer.sendBulk(
      { subject: 'two', text: 'x' },
      recipients(4, 'two'),
      { tenantId: 'alpha' },
    );

    const summary = async (): Promise<DeliverySummary> =>
      (
        await request(replicas[1].server)
          .get('/api/mailer/delivery-summary')
          .set(
            'Authorization',
            mockCredentials.user.header('user:default/alpha'),
          )
          .expect(200)
      ).body;
    let paused: DeliverySummary | undefined;
    await eventually(
      async () => {
        paused = await summary();
        return paused.pause !== undefined;
      },
      20_000,
      'the pause',
    );
    const statesOf = async () => {
      const rows: Array<{ state: string; n: unknown }> = await knex(
        'mailer_outbox',
      )
        .select('state')
        .count({ n: '*' })
        .groupBy('state');
      return Object.fromEntries(rows.map(r => [r.state, Number(r.n)]));
    };
    // The ledger hands out nothing more today: what was sent is all that goes.
    await eventually(
      async () => (await statesOf()).sent === DAILY_LIMIT,
      20_000,
      'the allowed messages to be recorded',
    );
    expect(smtp.messages).toHaveLength(DAILY_LIMIT);
    expect(await statesOf()).toEqual({ sent: DAILY_LIMIT, waiting: 3 });
    expect(paused!.pause).toMatchObject({
      reason: expect.stringMatching(
        /^The day's limit of 5 recipients through mailer@tenant\.example is used up: mail waits until \S+, when the first of them are 24 hours old\.$/,
      ),
      advice: expect.stringMatching(/Nothing failed/),
      reply: { code: 'EDAYLIMIT' },
    });
    // Until the first recipients of the day are a day old.
    const [{ first }] = await knex('mailer_rate_limit_ledger').min({
      first: 'taken_at',
    });
    const until = Date.parse(paused!.pause!.nextAttemptAt);
    expect(until).toBeGreaterThanOrEqual(Number(first) + DAY - 1000);
    expect(until).toBeLessThan(Number(first) + DAY + 60_000);

    // A day later on the database's clock: the rest goes, and the pause
    // is gone from the delivery view.
    await knex('mailer_rate_limit_ledger').update({
      taken_at: knex.raw('taken_at - ?', [DAY]),
    });
    await knex('mailer_delivery_pauses').update({
      paused_until: knex.raw('paused_until - ?', [DAY + 60_000]),
    });
    await smtp.waitForMessages(8, 20_000);
    await eventually(async () => (await statesOf()).sent === 8, 20_000);
    await eventually(
      async () => (await summary()).pause === undefined,
      20_000,
      'the pause to end',
    );
    expect(new Set(smtp.messages.flatMap(m => m.envelope.rcptTo)).size).toBe(8);
  });
});
