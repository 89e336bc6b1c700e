import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';

const POSTGRES_VARIABLE =
  'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING';
const MYSQL_VARIABLE = 'BACKSTAGE_TEST_DATABASE_MYSQL8_CONNECTION_STRING';

/**
 * The databases the store is tested on: SQLite always, PostgreSQL (and MySQL
 * or MariaDB) when their connection strings are set. In CI PostgreSQL is
 * required, so a missing or unreachable server fails the run instead of
 * silently testing SQLite alone.
 */
export function createTestDatabases(): TestDatabases {
  const ids: TestDatabaseId[] = ['SQLITE_3'];
  if (process.env[POSTGRES_VARIABLE]) {
    ids.push('POSTGRES_15');
  } else if (process.env.CI) {
    throw new Error(
      `CI is set but ${POSTGRES_VARIABLE} is not: the mailer must be tested on PostgreSQL in CI`,
    );
  }
  if (process.env[MYSQL_VARIABLE]) ids.push('MYSQL_8');
  return TestDatabases.create({ ids, disableDocker: true });
}
