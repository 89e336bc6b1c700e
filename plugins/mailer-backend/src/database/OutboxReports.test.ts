import { mockServices } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { readDatabaseNow } from './databaseClock';
import { OutboxClaims } from './OutboxClaims';
import { OutboxQueue } from './OutboxQueue';
import { OutboxReports } from './OutboxReports';
import { OutboxTestMessages } from './OutboxTestMessages';
import { openDatabase } from './openDatabase';

const databases = createTestDatabases();
const HOUR = 3_600_000;
const MIGRATIONS = `${__dirname}/../../migrations`;
const NONE = {
  queued: 0,
  sending: 0,
  retrying: 0,
  sent: 0,
  partial: 0,
  failed: 0,
  suppressed: 0,
};

describe.each(databases.eachSupportedId())(
  'the delivery reports on %s',
  databaseId => {
    async function outbox() {
      const knex = await databases.init(databaseId);
      await openDatabase(mockServices.database({ knex }));
      return {
        knex,
        queue: new OutboxQueue(knex),
        reports: new OutboxReports(knex),
        tests: new OutboxTestMessages(knex),
      };
    }

    /** Queues a message as `send()` does: a single campaign of its own. */
    async function single(queue: OutboxQueue, id: string, tenantId = 't') {
      await queue.createCampaign(
        {
          id: `c-${id}`,
          tenantId,
          priority: 0,
          kind: 'single',
          template: { subject: `Reset ${id}` },
        },
        [{ id, recipients: { to: [`${id}@example.com`] } }],
      );
    }

    /** Makes messages finished (`state`) at `at`, as the workers record them. */
    async function finish(
      knex: Knex,
      ids: string[],
      state: 'sent' | 'partial' | 'failed',
      at: number,
    ) {
      await knex('mailer_outbox')
        .whereIn('id', ids)
        .update({
          state,
          attempts: 1,
          updated_at: at,
          ...(state === 'failed'
            ? { last_response_code: 550, last_reply: '5.1.1 User unknown' }
            : { sent_at: at }),
        });
    }

    it('lists mailings and test emails with their kind, and counts the single messages of the last 24 hours on one line', async () => {
      const { knex, queue, reports, tests } = await outbox();
      await queue.createCampaign(
        {
          id: 'news',
          tenantId: 't',
          priority: 1,
          kind: 'bulk',
          template: { subject: 'Hello {{name}}' },
        },
        ['n1', 'n2', 'n3', 'n4'].map(id => ({
          id,
          recipients: { to: [`${id}@example.com`] },
          variables: { name: id },
        })),
      );
      for (const id of ['s1', 's2', 's3', 's4', 'old']) await single(queue, id);
      await single(queue, 'elsewhere', 'other-tenant');
      await tests.record({
        tenantId: 't',
        createdBy: 'user:default/ada',
        subject: 'Test message from your portal',
        to: 'ada@example.com',
        outcome: { state: 'sent', messageId: '<x@example.com>' },
      });
      const now = await readDatabaseNow(knex);
      await finish(knex, ['n1', 's1', 's2'], 'sent', now);
      await finish(knex, ['n2', 's3'], 'failed', now);
      // Queued 25 hours ago: not among today's single messages.
      await knex('mailer_campaigns')
        .where({ id: 'c-old' })
        .update({ created_at: now - 25 * HOUR });

      const summary = await reports.summary('t');

      expect(
        summary.campaigns.map(c => [c.kind, c.subject, c.createdBy]),
      ).toEqual([
        ['test', 'Test message from your portal', 'user:default/ada'],
        ['bulk', 'Hello {{name}}', undefined],
      ]);
      expect(summary.campaigns[0].counts).toEqual({ ...NONE, sent: 1 });
      expect(summary.campaigns[1].counts).toEqual({
        ...NONE,
        sent: 1,
        failed: 1,
        queued: 2,
      });
      expect(summary.singleMessages.counts).toEqual({
        ...NONE,
        sent: 2,
        failed: 1,
        queued: 1,
      });
      expect(
        now - new Date(summary.singleMessages.since).getTime(),
      ).toBeCloseTo(24 * HOUR, -4);
      expect(
        summary.recentFailures
          .map(f => [f.id, f.kind, f.subject])
          .sort(([a], [b]) => a.localeCompare(b)),
      ).toEqual([
        ['n2', 'bulk', 'Hello {{name}}'],
        ['s3', 'single', 'Reset s3'],
      ]);
    });

    it('counts sent and failed messages per hour over the last 24 hours, the current hour last', async () => {
      const { knex, queue, reports } = await outbox();
      const ids = Array.from({ length: 9 }, (_, i) => `m${i}`);
      for (const id of ids) await single(queue, id);
      await single(queue, 'waiting');
      const now = await readDatabaseNow(knex);
      const thisHour = now - (now % HOUR);
      const firstHour = thisHour - 23 * HOUR;
      await finish(knex, ['m0', 'm1'], 'sent', now);
      await finish(knex, ['m2'], 'partial', thisHour);
      await finish(knex, ['m3'], 'failed', now);
      await finish(knex, ['m4'], 'failed', thisHour - 5 * HOUR + 1);
      await finish(knex, ['m5'], 'sent', thisHour - 4 * HOUR - 1);
      // The first hour starts the chart; the one before is left out.
      await finish(knex, ['m6'], 'sent', firstHour);
      await finish(knex, ['m7'], 'failed', firstHour - 1);
      await finish(knex, ['m8'], 'sent', firstHour - 2 * HOUR);

      const { hourly } = await reports.summary('t');

      expect(hourly).toHaveLength(24);
      expect(hourly[0].hour).toBe(new Date(firstHour).toISOString());
      expect(hourly[23].hour).toBe(new Date(thisHour).toISOString());
      const busy = hourly
        .map((h, i) => ({ i, ...h }))
        .filter(h => h.sent + h.failed > 0)
        .map(({ i, sent, failed }) => [i, sent, failed]);
      expect(busy).toEqual([
        [0, 1, 0],
        [18, 1, 1],
        [23, 3, 1],
      ]);
      expect(
        (await reports.summary('other-tenant')).hourly.every(
          h => h.sent + h.failed === 0,
        ),
      ).toBe(true);
    });

    it('counts a mailing of thousands of messages without reading them', async () => {
      const { knex, queue, reports } = await outbox();
      const ids = Array.from({ length: 5000 }, (_, i) => `m${i}`);
      await queue.createCampaign(
        {
          id: 'big',
          tenantId: 't',
          priority: 1,
          kind: 'bulk',
          template: { subject: 'Big' },
        },
        ids.map(id => ({ id, recipients: { to: [`${id}@example.com`] } })),
      );
      const now = await readDatabaseNow(knex);
      await finish(knex, ids.slice(0, 3000), 'sent', now);
      await finish(knex, ids.slice(3000, 3010), 'failed', now);

      const summary = await reports.summary('t');

      expect(summary.campaigns[0].counts).toEqual({
        ...NONE,
        sent: 3000,
        failed: 10,
        queued: 1990,
      });
      expect(summary.hourly[23]).toMatchObject({ sent: 3000, failed: 10 });
    });

    it('records a test email already sent or failed, which no worker ever takes', async () => {
      const { knex, reports, tests } = await outbox();
      await tests.record({
        tenantId: 't',
        subject: 'Test message from your portal',
        to: 'ada@example.com',
        outcome: { state: 'sent' },
      });
      await tests.record({
        tenantId: 't',
        subject: 'Test message from your portal',
        to: 'gone@example.com',
        outcome: {
          state: 'failed',
          reply: { responseCode: 550, response: '5.1.1 User unknown' },
        },
      });

      const claimed = await new OutboxClaims(knex).claim({
        tenantId: 't',
        limit: 10,
        token: 'worker',
        leaseMs: 60_000,
      });
      expect(claimed).toEqual([]);
      const summary = await reports.summary('t');
      expect(summary.campaigns.map(c => c.kind)).toEqual(['test', 'test']);
      expect(summary.recentFailures).toEqual([
        expect.objectContaining({
          recipients: ['gone@example.com'],
          reply: { responseCode: 550, response: '5.1.1 User unknown' },
        }),
      ]);
      expect(summary.hourly[23]).toMatchObject({ sent: 1, failed: 1 });
      expect(summary.singleMessages.counts).toEqual(NONE);
    });

    it('lists subjects without reading any body: a 5 MB attachment stays in the database', async () => {
      const { knex, queue, reports } = await outbox();
      const attachment = {
        filename: 'report.pdf',
        content: Buffer.alloc(5 * 1024 * 1024, 7).toString('base64'),
        encoding: 'base64',
      };
      await queue.createCampaign(
        {
          id: 'heavy',
          tenantId: 't',
          priority: 1,
          kind: 'bulk',
          template: {
            subject: 'Quarterly report for {{name}}',
            text: 'Attached.',
            attachments: [attachment],
          },
        },
        [{ id: 'h1', recipients: { to: ['h1@example.com'] } }],
      );
      await queue.createCampaign(
        {
          id: 'c-heavy-single',
          tenantId: 't',
          priority: 0,
          kind: 'single',
          template: { subject: 'Your invoice', attachments: [attachment] },
        },
        [{ id: 'h2', recipients: { to: ['h2@example.com'] } }],
      );
      await finish(knex, ['h1', 'h2'], 'failed', await readDatabaseNow(knex));
      const statements: string[] = [];
      const listen = (query: { sql: string }) => statements.push(query.sql);
      knex.on('query', listen);

      let summary;
      try {
        summary = await reports.summary('t');
      } finally {
        knex.off('query', listen);
      }

      expect(summary.campaigns.map(c => c.subject)).toEqual([
        'Quarterly report for {{name}}',
      ]);
      expect(summary.recentFailures.map(f => [f.id, f.subject]).sort()).toEqual(
        [
          ['h1', 'Quarterly report for {{name}}'],
          ['h2', 'Your invoice'],
        ],
      );
      expect(statements.length).toBeGreaterThan(0);
      for (const sql of statements) {
        expect(sql).not.toMatch(/template|\*\s+from|\.\*/i);
      }
    });

    it('gives campaigns queued before subjects were kept the subject of their body, reading bodies a few at a time', async () => {
      const { knex } = await outbox();
      const migration = '20261206020000_campaign_subjects.js';
      await knex.migrate.down({ directory: MIGRATIONS, name: migration });
      expect(await knex.schema.hasColumn('mailer_campaigns', 'subject')).toBe(
        false,
      );
      const big = 'x'.repeat(3 * 1024 * 1024);
      const rows = [
        ...Array.from({ length: 450 }, (_, i) => ({
          id: `s${String(i).padStart(3, '0')}`,
          template: JSON.stringify({ subject: `Hello ${i} é 😀` }),
        })),
        // Three large bodies: more than one read's worth together.
        ...['b1', 'b2', 'b3'].map(id => ({
          id,
          template: JSON.stringify({ subject: `Big ${id}`, html: big }),
        })),
        { id: 'no-subject', template: '{"text":"t"}' },
        { id: 'unreadable', template: '{"subject":"cut sh' },
      ];
      for (let i = 0; i < rows.length; i += 100) {
        await knex('mailer_campaigns').insert(
          rows.slice(i, i + 100).map(row => ({
            ...row,
            tenant_id: 't',
            priority: 0,
            kind: 'single',
            created_at: Date.now(),
          })),
        );
      }

      await knex.migrate.up({ directory: MIGRATIONS, name: migration });

      const stored = new Map(
        (await knex('mailer_campaigns').select('id', 'subject')).map(r => [
          r.id,
          r.subject,
        ]),
      );
      expect(stored.size).toBe(rows.length);
      expect(stored.get('s000')).toBe('Hello 0 é 😀');
      expect(stored.get('s449')).toBe('Hello 449 é 😀');
      expect(
        [...stored.entries()].filter(
          ([id, subject]) =>
            id.startsWith('s') &&
            subject !== `Hello ${Number(id.slice(1))} é 😀`,
        ),
      ).toEqual([]);
      expect(['b1', 'b2', 'b3'].map(id => stored.get(id))).toEqual([
        'Big b1',
        'Big b2',
        'Big b3',
      ]);
      expect(stored.get('no-subject')).toBe('');
      expect(stored.get('unreadable')).toBe('');
    });

    it('gives campaigns queued before kinds existed the kind their priority says', async () => {
      const { knex } = await outbox();
      const migration = '20261205010000_campaign_kinds.js';
      await knex.migrate.down({ directory: MIGRATIONS, name: migration });
      expect(await knex.schema.hasColumn('mailer_campaigns', 'kind')).toBe(
        false,
      );
      await knex('mailer_campaigns').insert(
        [0, 1].map(priority => ({
          id: `p${priority}`,
          tenant_id: 't',
          priority,
          template: '{"subject":"s"}',
          created_at: Date.now(),
        })),
      );

      await knex.migrate.up({ directory: MIGRATIONS, name: migration });

      expect(
        await knex('mailer_campaigns').orderBy('id').select('id', 'kind'),
      ).toEqual([
        { id: 'p0', kind: 'single' },
        { id: 'p1', kind: 'bulk' },
      ]);
    });
  },
);
