import knexFactory, { Knex } from 'knex';
import { engineOf } from '../database/databaseClock';
import { eventually } from './outboxHarness';
import { sharedDatabaseConfig } from './replica/startReplicaProcess';

/** Blocked statements of other connections, as the server lists them. */
async function blockedStatements(knex: Knex): Promise<number> {
  if (engineOf(knex) === 'pg') {
    const row = await knex
      .first({ n: knex.raw('count(*)') })
      .from('pg_stat_activity')
      .where({ wait_event_type: 'Lock' })
      .andWhere('datname', knex.raw('current_database()'));
    return Number(row.n);
  }
  const row = await knex
    .first({ n: knex.raw('count(*)') })
    .from('information_schema.processlist')
    .where('state', 'like', 'Waiting for table%lock%');
  return Number(row.n);
}

/**
 * Runs `calls` so that they really overlap: on PostgreSQL and MySQL another
 * connection holds `table` locked until every call is blocked on it, then
 * lets them all go at once. A call that finishes in a millisecond would
 * otherwise often run alone, and a test of concurrent claims would prove
 * nothing. SQLite has one connection: the calls just take turns there.
 */
export async function startTogether<T>(
  knex: Knex,
  table: string,
  calls: Array<() => Promise<T>>,
): Promise<T[]> {
  const engine = engineOf(knex);
  if (engine === 'sqlite') return Promise.all(calls.map(call => call()));
  // Connections of its own: the calls may need every one of `knex`'s.
  const own = knexFactory({
    ...sharedDatabaseConfig(knex),
    pool: { min: 0, max: 2 },
  });
  const holder = await own.transaction();
  let running: Array<Promise<T>> = [];
  try {
    if (engine === 'pg') {
      await holder.raw('LOCK TABLE ?? IN ACCESS EXCLUSIVE MODE', [table]);
    } else {
      await holder.raw('LOCK TABLES ?? WRITE', [table]);
    }
    running = calls.map(call => call());
    // Collected at once: a call that fails must not go unhandled meanwhile.
    running.forEach(p => p.catch(() => undefined));
    await eventually(
      async () => (await blockedStatements(own)) >= calls.length,
      10_000,
      `${calls.length} statements waiting for ${table}`,
    );
  } finally {
    if (engine === 'mysql') await holder.raw('UNLOCK TABLES');
    await holder.commit();
    await own.destroy();
  }
  return Promise.all(running);
}
