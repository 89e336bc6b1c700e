import { mockServices } from '@backstage/backend-test-utils';
// The claim itself, measured where it runs: not part of the public API.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { openDatabase } from '@elixeum/plugin-mailer-backend/src/database/openDatabase';
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { OutboxClaims } from '@elixeum/plugin-mailer-backend/src/database/OutboxClaims';
import { Knex } from 'knex';
import { median, percentile } from '../aggregate';
import { openBenchDatabase } from '../durable/startDurableMailer';

export type Engine = 'sqlite' | 'postgres';

/** What one database with `tenants` tenants with due mail costs to claim from. */
export interface ClaimCost {
  engine: Engine;
  tenants: number;
  /** Rows in the outbox: due ones, and as many sent ones as a retention period keeps. */
  rows: number;
  /** `tenantsWithWaitingMail()`, in ms. */
  findTenants: { median: number; p90: number };
  /** One `claim()` of a window for one tenant, in ms. */
  claim: { median: number; p90: number };
}

/** Messages one timed claim takes: about what a lane with room asks for. */
export const CLAIM_WINDOW = 20;
const WARM_UP = 5;
const SAMPLES = 50;

/**
 * Fills the outbox with `tenants` tenants, each with a campaign of
 * `perTenant` due messages and as many sent ones. Rows made by the database
 * itself: fast, and the same on every engine.
 */
async function fill(
  knex: Knex,
  engine: Engine,
  tenants: number,
  perTenant: number,
): Promise<number> {
  const now = Date.now();
  const series = (count: number) =>
    engine === 'postgres'
      ? `generate_series(0, ${count - 1}) AS g(n)`
      : `(WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < ${count - 1}) SELECT n FROM s) AS g`;
  await knex.raw(
    `INSERT INTO mailer_campaigns (id, tenant_id, priority, kind, template, created_at)
     SELECT 'c' || n, 't' || n, 1, 'bulk', '{"subject":"s","text":"t"}', ? FROM ${series(tenants)}`,
    [now],
  );
  const rows = tenants * perTenant;
  for (const [offset, state] of [
    [0, 'sent'],
    [rows, 'waiting'],
  ] as const) {
    // Tenant by tenant in turn, as mail queued over time interleaves.
    await knex.raw(
      `INSERT INTO mailer_outbox (id, campaign_id, tenant_id, priority, recipients, state, attempts, next_attempt_at, created_at, updated_at)
       SELECT 'm' || (n + ${offset}), 'c' || (n % ${tenants}), 't' || (n % ${tenants}), 1,
              '{"to":["r' || n || '@example.com"]}', ?, 0, ?, ?, ?
       FROM ${series(rows)}`,
      [state, now, now, now],
    );
  }
  await knex.raw(engine === 'postgres' ? 'ANALYZE mailer_outbox' : 'ANALYZE');
  return 2 * rows;
}

/** One filled database, ready to be claimed from. */
interface Filled {
  tenants: number;
  rows: number;
  knex: Knex;
  claims: OutboxClaims;
  drop(): Promise<void>;
  findTimes: number[];
  claimTimes: number[];
}

async function filledDatabase(
  engine: Engine,
  tenants: number,
  perTenant: number,
): Promise<Filled> {
  const database = await openBenchDatabase(engine);
  const knex = await openDatabase(
    mockServices.database({ knex: database.knex }),
  );
  const rows = await fill(knex, engine, tenants, perTenant);
  return {
    tenants,
    rows,
    knex,
    claims: new OutboxClaims(knex),
    drop: () => database.drop(),
    findTimes: [],
    claimTimes: [],
  };
}

/** Times one `tenantsWithWaitingMail()` and one claim for the `i`th tenant in turn. */
async function sample(db: Filled, i: number): Promise<[number, number]> {
  let started = performance.now();
  const found = await db.claims.tenantsWithWaitingMail();
  const findMs = performance.now() - started;
  if (found.length !== db.tenants) {
    throw new Error(`found ${found.length} of ${db.tenants} tenants`);
  }
  // A different tenant each time, spread over the whole range.
  const tenantId = `t${(i * 7919) % db.tenants}`;
  const token = `claim-${i}`;
  started = performance.now();
  const taken = await db.claims.claim({
    tenantId,
    limit: CLAIM_WINDOW,
    token,
    leaseMs: 60_000,
  });
  const claimMs = performance.now() - started;
  if (taken.length !== CLAIM_WINDOW) {
    throw new Error(`claimed ${taken.length} for ${tenantId}`);
  }
  // Given back (untimed), so every sample sees the same depth.
  await db
    .knex('mailer_outbox')
    .where({ claim_token: token })
    .update({ state: 'waiting', claim_token: null, lease_until: null });
  return [findMs, claimMs];
}

const summary = (times: number[]) => ({
  median: median(times)!,
  p90: percentile(times, 0.9)!,
});

/**
 * Times `tenantsWithWaitingMail()` and a claim for one tenant after
 * another, on a fresh database per tenant count. The databases take turns,
 * sample by sample, so that whatever else the machine does meanwhile falls
 * on every tenant count alike.
 */
export async function measureClaimCosts(
  engine: Engine,
  tenantCounts: number[],
  perTenant: number,
): Promise<ClaimCost[]> {
  const databases: Filled[] = [];
  try {
    for (const tenants of tenantCounts) {
      databases.push(await filledDatabase(engine, tenants, perTenant));
    }
    for (let i = 0; i < WARM_UP + SAMPLES; i++) {
      for (const db of databases) {
        const [findMs, claimMs] = await sample(db, i);
        if (i < WARM_UP) continue;
        db.findTimes.push(findMs);
        db.claimTimes.push(claimMs);
      }
    }
    return databases.map(db => ({
      engine,
      tenants: db.tenants,
      rows: db.rows,
      findTenants: summary(db.findTimes),
      claim: summary(db.claimTimes),
    }));
  } finally {
    for (const db of databases) await db.drop();
  }
}
