import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { engineOf } from './databaseClock';

const migrationsDirectory = resolvePackagePath(
  '@elixeum/plugin-mailer-backend',
  'migrations',
);

/** Connects to the plugin's database and, unless the host skips it, migrates it. */
export async function openDatabase(database: DatabaseService): Promise<Knex> {
  const knex = await database.getClient();
  if (engineOf(knex) === 'sqlite') {
    // Each recorded outcome is a commit. In SQLite's default journal mode a
    // commit flushes the disk three times, and better-sqlite3 blocks the
    // event loop meanwhile; in WAL mode once. Only this plugin's own file
    // is changed (in memory it stays as it is).
    await knex.raw('PRAGMA journal_mode = WAL');
  }
  if (!database.migrations?.skip) {
    await knex.migrate.latest({ directory: migrationsDirectory });
  }
  return knex;
}
