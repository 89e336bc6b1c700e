import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';

const POSTGRES_VARIABLE =
  'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING';
const MYSQL_VARIABLE = 'BACKSTAGE_TEST_DATABASE_MYSQL8_CONNECTION_STRING';

/**
 * The databases the store is tested on: SQLite always, PostgreSQL and MySQL
 * (or MariaDB) when their connection strings are set. In CI both are
 * required, so a missing server fails the run instead of silently testing
 * less: SQLite runs every test on one connection, so the concurrency tests
 * prove something only on PostgreSQL and MySQL.
 */
export function createTestDatabases(): TestDatabases {
  const ids: TestDatabaseId[] = ['SQLITE_3'];
  for (const [variable, id, name] of [
    [POSTGRES_VARIABLE, 'POSTGRES_15', 'PostgreSQL'],
    [MYSQL_VARIABLE, 'MYSQL_8', 'MySQL or MariaDB'],
  ] as const) {
    if (process.env[variable]) {
      ids.push(id);
    } else if (process.env.CI) {
      throw new Error(
        `CI is set but ${variable} is not: the mailer must be tested on ${name} in CI`,
      );
    }
  }
  return TestDatabases.create({ ids, disableDocker: true });
}
