import { mockServices } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { startTogether } from '../__testUtils__/startTogether';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { readDatabaseNow } from './databaseClock';
import { OutboxClaims } from './OutboxClaims';
import { OutboxQueue } from './OutboxQueue';
import { OutboxRetention } from './OutboxRetention';
import { openDatabase } from './openDatabase';

const databases = createTestDatabases();
const DAY = 86_400_000;

describe.each(databases.eachSupportedId())(
  'the outbox claims on %s',
  databaseId => {
    async function outboxWith(
      messages: Record<string, string[]>,
      tenantId = 't',
      priority = 1,
    ) {
      const knex = await databases.init(databaseId);
      await openDatabase(mockServices.database({ knex }));
      const queue = new OutboxQueue(knex);
      for (const [campaign, ids] of Object.entries(messages)) {
        await queue.createCampaign(
          { id: campaign, tenantId, priority, template: { subject: campaign } },
          ids.map(id => ({ id, recipients: { to: [`${id}@example.com`] } })),
        );
      }
      return { knex, queue, claims: new OutboxClaims(knex) };
    }

    const stateOf = async (knex: Knex, id: string) =>
      knex('mailer_outbox')
        .where({ id })
        .first('state', 'attempts', 'claim_token', 'last_error_code');

    // Proves it on PostgreSQL and MySQL, where the five claims start at once
    // on connections of their own (see startTogether); SQLite has one
    // connection, so there they take turns and this only checks the counting.
    it('never lets concurrent claims take the same message, takes no more than asked, and takes every message between them', async () => {
      const ids = Array.from({ length: 30 }, (_, i) => `m${i}`);
      const { knex, claims } = await outboxWith({ c: ids });
      const claim = (token: string) =>
        claims.claim({ tenantId: 't', limit: 7, token, leaseMs: 60_000 });
      const taken: string[] = [];
      const tokens = new Map<string, string>();
      // Rounds of five claims at once until one round finds nothing: on
      // MySQL a claim that lost a row to another takes fewer than it asked.
      for (let round = 0; round < 30; round++) {
        const names = ['a', 'b', 'c', 'd', 'e'].map(n => `${n}${round}`);
        const results = await startTogether(
          knex,
          'mailer_outbox',
          names.map(name => () => claim(name)),
        );
        results.forEach((result, i) => {
          expect(result.length).toBeLessThanOrEqual(7);
          for (const message of result) {
            taken.push(message.id);
            tokens.set(message.id, names[i]);
            expect(message.attempts).toBe(1);
          }
        });
        if (results.every(result => result.length === 0)) break;
      }
      expect(taken.length).toBe(30);
      expect([...new Set(taken)].sort()).toEqual([...ids].sort());
      // The database agrees: each row is held by the claim that returned it.
      const rows = await knex('mailer_outbox').select(
        'id',
        'state',
        'claim_token',
        'attempts',
      );
      expect(rows).toHaveLength(30);
      for (const row of rows) {
        expect(row).toMatchObject({
          state: 'sending',
          claim_token: tokens.get(row.id),
          attempts: 1,
        });
      }
    });

    it('takes exactly what is asked when enough is waiting', async () => {
      const ids = Array.from({ length: 10 }, (_, i) => `m${i}`);
      const { claims } = await outboxWith({ c: ids });
      const first = await claims.claim({
        tenantId: 't',
        limit: 7,
        token: 'a',
        leaseMs: 60_000,
      });
      const second = await claims.claim({
        tenantId: 't',
        limit: 7,
        token: 'b',
        leaseMs: 60_000,
      });
      expect(first).toHaveLength(7);
      expect(second).toHaveLength(3);
    });

    it('claims transactional mail before bulk mail', async () => {
      const { queue, claims } = await outboxWith({ bulk: ['b1', 'b2', 'b3'] });
      await queue.createCampaign(
        { id: 'reset', tenantId: 't', priority: 0, template: { subject: 'r' } },
        [{ id: 'r1', recipients: { to: ['r1@example.com'] } }],
      );
      const [first] = await claims.claim({
        tenantId: 't',
        limit: 1,
        token: 'x',
        leaseMs: 60_000,
      });
      expect(first.id).toBe('r1');
    });

    it('writes an outcome only while its claim holds the row, and reports the others as lost', async () => {
      const { knex, claims } = await outboxWith({ c: ['m1', 'm2'] });
      const [m1, m2] = await claims.claim({
        tenantId: 't',
        limit: 2,
        token: 'old',
        leaseMs: 60_000,
      });
      // m2's lease ran out and another worker took it.
      await knex('mailer_outbox')
        .where({ id: m2.id })
        .update({ claim_token: 'newer' });
      const delivered = (id: string) => ({
        token: 'old',
        outcome: {
          kind: 'delivered' as const,
          id,
          state: 'sent' as const,
          messageId: `<${id}@example.com>`,
          results: { [`${id}@example.com`]: { state: 'sent' as const } },
        },
      });
      const { lost } = await claims.record([
        delivered(m1.id),
        delivered(m2.id),
      ]);
      expect(lost).toEqual([m2.id]);
      expect(await stateOf(knex, m1.id)).toMatchObject({
        state: 'sent',
        claim_token: null,
      });
      expect(await stateOf(knex, m2.id)).toMatchObject({
        state: 'sending',
        claim_token: 'newer',
      });
    });

    it.each([2, 6])(
      "records at once what %i claims of different senders delivered, each row with its own sender's Message-ID",
      async claimCount => {
        const ids = Array.from({ length: 2 * claimCount }, (_, i) => `m${i}`);
        const { knex, claims } = await outboxWith({ c: ids });
        const taken: Array<{ token: string; id: string }> = [];
        for (let c = 0; c < claimCount; c++) {
          const token = `claim-${c}`;
          const messages = await claims.claim({
            tenantId: 't',
            limit: 2,
            token,
            leaseMs: 60_000,
          });
          taken.push(...messages.map(m => ({ token, id: m.id })));
        }
        const domainOf = (token: string) => `${token}.example`;
        const { lost } = await claims.record(
          taken.map(({ token, id }) => ({
            token,
            outcome: {
              kind: 'delivered' as const,
              id,
              state: 'sent' as const,
              messageId: `<${id}@${domainOf(token)}>`,
              results: {},
            },
          })),
        );
        expect(lost).toEqual([]);
        for (const { token, id } of taken) {
          const [row] = await knex('mailer_outbox')
            .where({ id })
            .select('state', 'claim_token', 'smtp_message_id');
          expect(row).toEqual({
            state: 'sent',
            claim_token: null,
            smtp_message_id: `<${id}@${domainOf(token)}>`,
          });
        }
      },
    );

    it('gives back released messages without counting the attempt, and retries them later', async () => {
      const { knex, claims } = await outboxWith({ c: ['m1'] });
      const [m1] = await claims.claim({
        tenantId: 't',
        limit: 1,
        token: 'a',
        leaseMs: 60_000,
      });
      await claims.record([
        {
          token: 'a',
          outcome: {
            kind: 'released',
            id: m1.id,
            delayMs: 60_000,
            reply: { code: 'ECONNREFUSED' },
          },
        },
      ]);
      expect(await stateOf(knex, m1.id)).toMatchObject({
        state: 'waiting',
        attempts: 0,
        claim_token: null,
        last_error_code: 'ECONNREFUSED',
      });
      // Not due yet: the delay is counted on the database's clock.
      expect(
        await claims.claim({
          tenantId: 't',
          limit: 1,
          token: 'b',
          leaseMs: 1000,
        }),
      ).toEqual([]);
    });

    it('extends leases only for claims that still hold rows', async () => {
      const { knex, claims } = await outboxWith({ c: ['m1', 'm2'] });
      await claims.claim({
        tenantId: 't',
        limit: 1,
        token: 'a',
        leaseMs: 1000,
      });
      await claims.claim({
        tenantId: 't',
        limit: 1,
        token: 'b',
        leaseMs: 1000,
      });
      await knex('mailer_outbox')
        .where({ claim_token: 'b' })
        .update({ claim_token: 'someone-else' });
      const before = await readDatabaseNow(knex);
      const held = await claims.extendLeases(['a', 'b'], 600_000);
      expect([...held]).toEqual(['a']);
      const row = await knex('mailer_outbox')
        .where({ claim_token: 'a' })
        .first();
      expect(Number(row.lease_until)).toBeGreaterThan(before + 500_000);
    });

    it('takes back expired claims, and fails a message whose claims kept dying once it used its attempts', async () => {
      const { knex, claims } = await outboxWith({ c: ['fresh', 'poison'] });
      await claims.claim({
        tenantId: 't',
        limit: 2,
        token: 'dead',
        leaseMs: 60_000,
      });
      // Nothing is taken back while the lease runs…
      expect(await claims.reclaimExpired(3)).toEqual({
        requeued: 0,
        failed: 0,
      });
      await knex('mailer_outbox')
        .where({ id: 'poison' })
        .update({ attempts: 3 });
      // …and everything once it ran out, on the database's clock.
      await knex('mailer_outbox').update({
        lease_until: (await readDatabaseNow(knex)) - 1,
      });

      expect(await claims.reclaimExpired(3)).toEqual({
        requeued: 1,
        failed: 1,
      });
      expect(await stateOf(knex, 'fresh')).toMatchObject({
        state: 'waiting',
        attempts: 1,
        claim_token: null,
        last_error_code: 'EINTERRUPTED',
      });
      expect(await stateOf(knex, 'poison')).toMatchObject({
        state: 'failed',
        last_error_code: 'EABANDONED',
      });
      // The other message is due again at once, attempt 2 counted at its claim.
      const [again] = await claims.claim({
        tenantId: 't',
        limit: 5,
        token: 'next',
        leaseMs: 60_000,
      });
      expect(again).toMatchObject({ id: 'fresh', attempts: 2 });
    });

    it('lists the tenants with waiting mail', async () => {
      const { queue, claims } = await outboxWith({ a: ['a1', 'a2'] }, 'alpha');
      await queue.createCampaign(
        { id: 'b', tenantId: 'beta', priority: 1, template: { subject: 'b' } },
        [{ id: 'b1', recipients: { to: ['b1@example.com'] } }],
      );
      await queue.createCampaign(
        { id: 'g', tenantId: 'gamma', priority: 1, template: { subject: 'g' } },
        [],
      );
      expect((await claims.tenantsWithWaitingMail()).sort()).toEqual([
        'alpha',
        'beta',
      ]);
    });

    it('queues a retried recipient batch once', async () => {
      const { knex, queue } = await outboxWith({});
      await queue.createCampaign({
        id: 'c',
        tenantId: 't',
        priority: 1,
        template: { subject: 'c' },
      });
      const batch = [1, 2, 3].map(i => ({
        id: `r${i}`,
        recipients: { to: [`r${i}@example.com`] },
      }));
      const campaign = { id: 'c', tenantId: 't', priority: 1 };
      expect(await queue.addMessages(campaign, batch, 0)).toEqual({
        accepted: 3,
        suppressed: 0,
        repeated: false,
      });
      expect(
        await queue.addMessages(
          campaign,
          batch.map(m => ({ ...m, id: `${m.id}-again` })),
          0,
        ),
      ).toEqual({ accepted: 3, suppressed: 0, repeated: true });
      const [{ n }] = await knex('mailer_outbox').count({ n: '*' });
      expect(Number(n)).toBe(3);
    });

    it('stores a message with a 1 MB attachment', async () => {
      const { knex, queue } = await outboxWith({});
      const content = Buffer.alloc(1024 * 1024, 7).toString('base64');
      await queue.createCampaign(
        {
          id: 'big',
          tenantId: 't',
          priority: 0,
          template: {
            subject: 'report',
            text: 'attached',
            attachments: [{ filename: 'a.bin', content, encoding: 'base64' }],
          },
        },
        [{ id: 'm', recipients: { to: ['a@example.com'] } }],
      );
      const bodies = await queue.bodies(['big']);
      expect(JSON.parse(bodies.get('big')!).attachments[0].content).toBe(
        content,
      );
      expect(await stateOf(knex, 'm')).toMatchObject({ state: 'waiting' });
    });

    it('deletes finished mail past the retention, keeps the rest, and drops emptied campaigns', async () => {
      const { knex } = await outboxWith({
        old: ['old-sent', 'old-failed', 'old-waiting'],
        new: ['new-sent'],
      });
      const now = await readDatabaseNow(knex);
      await knex('mailer_campaigns').update({ created_at: now - 10 * DAY });
      await knex('mailer_outbox').update({ updated_at: now - 10 * DAY });
      await knex('mailer_outbox')
        .whereIn('id', ['old-sent', 'new-sent'])
        .update({ state: 'sent' });
      await knex('mailer_outbox')
        .where({ id: 'old-failed' })
        .update({ state: 'failed' });
      await knex('mailer_outbox')
        .where({ id: 'new-sent' })
        .update({ updated_at: now - DAY });
      const retention = new OutboxRetention(knex);

      expect(await retention.purgeFinished(5 * DAY)).toBe(2);
      expect((await knex('mailer_outbox').pluck('id')).sort()).toEqual([
        'new-sent',
        'old-waiting',
      ]);
      await knex('mailer_outbox')
        .where({ id: 'old-waiting' })
        .update({ state: 'failed' });
      await retention.purgeFinished(5 * DAY);
      expect(await knex('mailer_campaigns').pluck('id')).toEqual(['new']);
    });
  },
);
