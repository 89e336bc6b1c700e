import { mockServices } from '@backstage/backend-test-utils';
import { SmtpTestServer } from '@internal/smtp-test-server';
import knexFactory, { Knex } from 'knex';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import {
  startMailerTestBackend,
  testEncryptionKey,
} from './__testUtils__/mailerTestBackend';
import {
  deliveriesPerRecipient,
  duplicated,
  eventually,
  recipients,
} from './__testUtils__/outboxHarness';
import {
  sharedDatabaseConfig,
  startReplicaProcess,
} from './__testUtils__/replica/startReplicaProcess';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { watchQueries } from './__testUtils__/queryWatch';
import { readDatabaseNow } from './database/databaseClock';
import { openDatabase } from './database/openDatabase';
import { OutboxQueue } from './database/OutboxQueue';

// Several replicas on one database, slow servers, replicas that stop or
// die: every recipient gets the mail, and twice only where SMTP cannot
// know better (the message was on the wire when its sender died).
// Replicas in this process share one knex: a pool of connections on
// PostgreSQL and MySQL, one connection on SQLite. The killed replica is a
// process of its own, with its own connections, on every engine.

const databases = createTestDatabases();
jest.setTimeout(120_000);

const closing: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

/** Queues a campaign straight into the outbox, as a replica's `sendBulk` would. */
async function queueCampaign(knex: Knex, count: number, prefix = 'user') {
  await new OutboxQueue(knex).createCampaign(
    {
      id: `c-${prefix}`,
      tenantId: 'default',
      priority: 1,
      template: { subject: 'news', text: 'x' },
    },
    recipients(count, prefix).map((r, i) => ({
      id: `${prefix}-${i}`,
      recipients: { to: [r.to] },
    })),
  );
}

/** Resolves once every message of the outbox has its outcome recorded. */
async function allRecorded(knex: Knex, count: number) {
  await eventually(
    async () => {
      const [{ n }] = await knex('mailer_outbox')
        .where({ state: 'sent' })
        .count({ n: '*' });
      return Number(n) === count;
    },
    60_000,
    `${count} messages recorded as sent`,
  );
}

/**
 * Resolves once nothing is left between the replicas and the server: no
 * connection open, no message waiting for its answer. What a replica wrote
 * before it stopped or died has been read by then.
 */
async function quiet(smtp: SmtpTestServer) {
  await eventually(
    () => smtp.connections.open === 0 && smtp.answering.size === 0,
    30_000,
    'the server to be done with every connection',
  );
}

/** The recipients of every message that reached the server: answered, or waiting for its answer. */
function reachedServer(smtp: SmtpTestServer): Set<string> {
  return new Set([
    ...smtp.messages.flatMap(m => m.envelope.rcptTo),
    ...smtp.answering.keys(),
  ]);
}

/** The recipients of the rows in `states`. */
async function inState(knex: Knex, states: string[]): Promise<Set<string>> {
  const rows = await knex('mailer_outbox')
    .whereIn('state', states)
    .select('recipients');
  return new Set(rows.map(row => JSON.parse(row.recipients).to[0] as string));
}

/** The rows the outbox does not know to be sent: claimed, given back or waiting. */
const notRecordedAsSent = (knex: Knex) => inState(knex, ['sending', 'waiting']);

describe.each(databases.eachSupportedId())(
  'replicas of the outbox on %s',
  databaseId => {
    const stops: Array<() => Promise<void>> = [];
    /** Stops every replica this test started in this process. */
    const stopAll = () => stops.splice(0).map(stop => stop());

    async function replica(
      smtp: SmtpTestServer,
      knex: Knex,
      delivery: Record<string, any> = {},
    ) {
      const consumer = createConsumerPlugin();
      const started = await startMailerTestBackend(databases, databaseId, {
        defaultServer: { host: smtp.host, port: smtp.port },
        delivery,
        features: [consumer.plugin],
        knex,
      });
      let stopping: Promise<void> | undefined;
      const stop = () => (stopping ??= started.backend.stop());
      closing.push(stop);
      stops.push(stop);
      return { ...started, stop, mailer: consumer.mailer() };
    }

    async function slowServer(replyDelayMs: number) {
      const smtp = await SmtpTestServer.start({ replyDelayMs });
      closing.push(() => smtp.close());
      return smtp;
    }

    /** A database both this process and a child process can open. */
    async function sharedDatabase(): Promise<Knex> {
      if (databaseId !== 'SQLITE_3') return databases.init(databaseId);
      // TestDatabases' SQLite lives in memory; a replica process needs a file.
      const dir = mkdtempSync(join(tmpdir(), 'mailer-replicas-'));
      const knex = knexFactory({
        client: 'better-sqlite3',
        connection: { filename: join(dir, 'outbox.sqlite') },
        useNullAsDefault: true,
      });
      closing.push(async () => {
        await knex.destroy();
        rmSync(dir, { recursive: true, force: true });
      });
      return knex;
    }

    it('delivers each of 300 recipients exactly once through a slow server (200 ms a message) with two replicas and a 2 s lease', async () => {
      const smtp = await slowServer(200);
      const knex = await databases.init(databaseId);
      const delivery = { lease: '2s', shutdownTimeout: '1s' };
      const first = await replica(smtp, knex, delivery);
      await replica(smtp, knex, delivery);
      await first.mailer.sendBulk(
        { subject: 'slow', text: 'x' },
        recipients(300),
      );

      await allRecorded(knex, 300);
      // Nothing can be sent again once both have stopped.
      await Promise.all(stopAll());
      await quiet(smtp);
      const counts = deliveriesPerRecipient(smtp);
      expect(counts.size).toBe(300);
      expect(duplicated(counts)).toEqual([]);
      expect(smtp.messages).toHaveLength(300);
    });

    it('re-sends after a replica is killed mid-campaign exactly the messages that reached the server unrecorded, with the same Message-ID', async () => {
      const smtp = await slowServer(100);
      const knex = await sharedDatabase();
      await openDatabase(mockServices.database({ knex }));
      await queueCampaign(knex, 200);
      const child = await startReplicaProcess({
        database: sharedDatabaseConfig(knex),
        mailer: {
          default: {
            host: smtp.host,
            port: smtp.port,
            security: 'none',
            from: 'no-reply@elixeum.cloud',
          },
          encryption: { keys: [{ id: 'test-1', secret: testEncryptionKey }] },
          delivery: {
            pollInterval: '50ms',
            lease: '2s',
            shutdownTimeout: '1s',
          },
        },
      });
      closing.push(() => child.kill());

      await smtp.waitForMessages(40, 30_000);
      // Killed with messages on the wire: their data is in, their answer not.
      await eventually(
        () => smtp.answering.size > 0,
        10_000,
        'a message on the wire',
      );
      await child.kill();
      // Once the server has closed every connection of the dead replica, it
      // has read all the replica wrote.
      await quiet(smtp);
      const reached = reachedServer(smtp);
      // Without a recorded outcome: on the wire, answered but not yet
      // recorded, claimed and not started, or not claimed yet.
      const notSent = await notRecordedAsSent(knex);
      // SMTP cannot know better than to send these again: the server took
      // them, but the replica died before it wrote so down.
      const expectedTwice = [...notSent].filter(r => reached.has(r)).sort();
      expect(expectedTwice.length).toBeGreaterThan(0);

      await replica(smtp, knex, { lease: '2s', shutdownTimeout: '1s' });
      await allRecorded(knex, 200);
      await Promise.all(stopAll());
      await quiet(smtp);
      const counts = deliveriesPerRecipient(smtp);
      expect(counts.size).toBe(200);
      expect(duplicated(counts).sort()).toEqual(expectedTwice);
      // A copy can be recognised: both carry the Message-ID of the row.
      for (const recipient of expectedTwice) {
        const copies = smtp.messages.filter(
          m => m.envelope.rcptTo[0] === recipient,
        );
        expect(copies).toHaveLength(2);
        expect(copies[0].parsed.messageId).toBeDefined();
        expect(copies[1].parsed.messageId).toBe(copies[0].parsed.messageId);
      }
    });

    it('stops within the shutdown timeout during a campaign, gives back what it had not started, and the next replica delivers the rest', async () => {
      // Answers take longer than the shutdown timeout allows.
      const smtp = await slowServer(1500);
      const knex = await databases.init(databaseId);
      const delivery = { lease: '3s', shutdownTimeout: '1s' };
      const first = await replica(smtp, knex, delivery);
      await first.mailer.sendBulk(
        { subject: 'news', text: 'x' },
        recipients(30),
      );
      // Five messages are on the wire and more are claimed behind them.
      await eventually(
        () => smtp.answering.size === 5,
        10_000,
        'five messages on the wire',
      );
      const stoppedAt = Date.now();
      await first.stop();
      expect(Date.now() - stoppedAt).toBeLessThan(2500);
      // Only what was on the wire may stay claimed: what was claimed but
      // not started is due again at once.
      expect((await inState(knex, ['sending'])).size).toBeLessThanOrEqual(5);
      const notSent = await notRecordedAsSent(knex);
      await quiet(smtp);
      // The server answers what was on the wire after the stop: it reached
      // the server, and the outbox does not know.
      const reached = reachedServer(smtp);

      await replica(smtp, knex, delivery);
      await allRecorded(knex, 30);
      await Promise.all(stopAll());
      await quiet(smtp);
      const counts = deliveriesPerRecipient(smtp);
      expect(counts.size).toBe(30);
      expect(duplicated(counts).sort()).toEqual(
        [...notSent].filter(r => reached.has(r)).sort(),
      );
    });

    it('picks up messages a crashed worker had claimed once their lease runs out, not before', async () => {
      const smtp = await slowServer(0);
      const knex = await databases.init(databaseId);
      await openDatabase(mockServices.database({ knex }));
      await queueCampaign(knex, 1, 'late');
      const now = await readDatabaseNow(knex);
      // What a replica that died in the middle of sending leaves behind.
      await knex('mailer_outbox').update({
        state: 'sending',
        attempts: 1,
        claim_token: 'dead-worker',
        claimed_at: now,
        lease_until: now + 600_000,
      });
      // The sweep that takes back expired claims compares lease_until.
      const sweeps = watchQueries(knex, /lease_until["`]?\s*<=/i, 'sweep');
      closing.push(async () => sweeps.stop());

      const { mailer } = await replica(smtp, knex);
      await sweeps.next(2, 20_000);
      // Its lease still runs: left alone.
      expect(
        await knex('mailer_outbox').where({ id: 'late-0' }).first(),
      ).toMatchObject({ state: 'sending', claim_token: 'dead-worker' });
      expect(smtp.connections.opened).toBe(0);

      // The lease runs out, on the database's clock.
      await knex('mailer_outbox')
        .where({ id: 'late-0' })
        .update({ lease_until: (await readDatabaseNow(knex)) - 1 });
      const status = await mailer.waitForDelivery('late-0', {
        timeoutMs: 10_000,
      });
      expect(status).toMatchObject({ state: 'sent', attempts: 2 });
      expect(smtp.messages.map(m => m.envelope.rcptTo)).toEqual([
        ['late0@example.com'],
      ]);
    });
  },
);
