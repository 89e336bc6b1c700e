/* eslint-disable no-console */
import { BenchEngine, runOnEachEngine } from './runOnEachEngine';
import { mockServices } from '@backstage/backend-test-utils';
// The claim itself, measured where it runs: not part of the public API.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { openDatabase } from '@elixeum/plugin-mailer-backend/src/database/openDatabase';
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { OutboxClaims } from '@elixeum/plugin-mailer-backend/src/database/OutboxClaims';
import { Knex } from 'knex';
import { median } from './aggregate';
import { openBenchDatabase } from './durable/startDurableMailer';

/**
 * Claims at depth: with this many due messages queued (and as many already
 * sent, as a retention period keeps them), how long one claim of a window
 * takes, and the plan the database uses for it. No sequential scan.
 */
const DUE = Number(process.argv[2] ?? 100_000);
const CLAIM = 20;

async function fill(knex: Knex, engine: BenchEngine) {
  const now = Date.now();
  await knex('mailer_campaigns').insert({
    id: 'c',
    tenant_id: 'big',
    priority: 1,
    template: '{"subject":"s","text":"t"}',
    created_at: now,
  });
  // Rows made by the database itself: fast, and the same on every engine.
  const rows = (offset: number, count: number, state: string) =>
    engine === 'postgres'
      ? knex.raw(
          `INSERT INTO mailer_outbox (id, campaign_id, tenant_id, priority, recipients, state, attempts, next_attempt_at, created_at, updated_at)
           SELECT 'm' || g, 'c', CASE WHEN g % 10 = 0 THEN 'small' ELSE 'big' END, 1, '{"to":["r' || g || '@example.com"]}', ?, 0, ?, ?, ?
           FROM generate_series(?::int, ?::int) g`,
          [state, now, now, now, offset, offset + count - 1],
        )
      : knex.raw(
          `WITH RECURSIVE g(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM g WHERE n < ?)
           INSERT INTO mailer_outbox (id, campaign_id, tenant_id, priority, recipients, state, attempts, next_attempt_at, created_at, updated_at)
           SELECT 'm' || n, 'c', CASE WHEN n % 10 = 0 THEN 'small' ELSE 'big' END, 1, '{"to":["r' || n || '@example.com"]}', ?, 0, ?, ?, ? FROM g`,
          [offset, offset + count - 1, state, now, now, now],
        );
  await rows(0, DUE, 'sent');
  await rows(DUE, DUE, 'waiting');
  if (engine === 'postgres') await knex.raw('ANALYZE mailer_outbox');
  else await knex.raw('ANALYZE');
}

async function measure(engine: BenchEngine) {
  const database = await openBenchDatabase(engine);
  try {
    const knex = await openDatabase(
      mockServices.database({ knex: database.knex }),
    );
    await fill(knex, engine);
    const claims = new OutboxClaims(knex);
    const statements: Array<{ sql: string; bindings: any[] }> = [];
    knex.on('query', (q: { sql: string; bindings?: any[] }) => {
      if (/^update/i.test(q.sql)) {
        statements.push({ sql: q.sql, bindings: q.bindings ?? [] });
      }
    });
    const times: number[] = [];
    const tenantTimes: number[] = [];
    for (let i = 0; i < 30; i++) {
      let t = performance.now();
      await claims.tenantsWithWaitingMail();
      tenantTimes.push(performance.now() - t);
      t = performance.now();
      const taken = await claims.claim({
        tenantId: i % 2 ? 'small' : 'big',
        limit: CLAIM,
        token: `t${i}`,
        leaseMs: 60_000,
      });
      times.push(performance.now() - t);
      if (taken.length !== CLAIM) throw new Error(`claimed ${taken.length}`);
    }
    const plan =
      engine === 'postgres'
        ? (
            await knex.raw(
              `EXPLAIN ${statements[0].sql.replace(/\$\d+/g, '?')}`,
              statements[0].bindings,
            )
          ).rows.map((r: Record<string, string>) => r['QUERY PLAN'])
        : [];
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `${engine.padEnd(8)} ${DUE} due + ${DUE} sent rows: claim of ${CLAIM} median ${median(times)!.toFixed(2)} ms, ` +
        `p90 ${sorted[Math.floor(sorted.length * 0.9)].toFixed(2)} ms; finding the tenants with mail median ${median(tenantTimes)!.toFixed(2)} ms`,
    );
    if (plan.length) {
      const seqScan = plan.some((line: string) => /Seq Scan/.test(line));
      console.log(
        `         plan ${seqScan ? 'HAS a sequential scan' : 'uses indexes only'}:`,
      );
      for (const line of plan) console.log(`           ${line}`);
    }
  } finally {
    await database.drop();
  }
}

runOnEachEngine(`Claims at depth: ${DUE} due messages`, measure);
