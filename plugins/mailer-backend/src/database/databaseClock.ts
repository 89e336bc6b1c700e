import { Knex } from 'knex';

/** Which of the supported engines a connection talks to. */
export function engineOf(knex: Knex): 'pg' | 'mysql' | 'sqlite' {
  const client = String(knex.client.config.client);
  if (client === 'pg') return 'pg';
  return /mysql/.test(client) ? 'mysql' : 'sqlite';
}

/**
 * The database's current time in epoch milliseconds, as SQL. Leases, due
 * times and rate windows are compared with this, never with a replica's own
 * clock: replicas whose clocks disagree still agree on who holds a message.
 */
export function databaseNow(knex: Knex): Knex.Raw {
  const engine = engineOf(knex);
  if (engine === 'pg') {
    return knex.raw(
      '(floor(extract(epoch from clock_timestamp()) * 1000)::bigint)',
    );
  }
  if (engine === 'mysql') {
    // UNIX_TIMESTAMP() reads no time zone, unlike UNIX_TIMESTAMP(NOW()),
    // which is ambiguous in the hour a daylight-saving clock goes back.
    return knex.raw(
      '(UNIX_TIMESTAMP() * 1000 + FLOOR(MICROSECOND(NOW(3)) / 1000))',
    );
  }
  return knex.raw(
    "(CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER))",
  );
}

/** The database's current time plus `ms`, as SQL. */
export function databaseNowPlus(knex: Knex, ms: number): Knex.Raw {
  // Inlined: a whole number of our own, never user input.
  return knex.raw(`(${databaseNow(knex).toQuery()} + ${Math.round(ms)})`);
}

/** Reads the database's current time in epoch milliseconds. */
export async function readDatabaseNow(knex: Knex): Promise<number> {
  const row = await knex.first({ now: databaseNow(knex) });
  return Number(row.now);
}
