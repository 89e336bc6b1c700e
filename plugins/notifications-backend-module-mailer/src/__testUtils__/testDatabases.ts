import { TestDatabases } from '@backstage/backend-test-utils';

/**
 * SQLite for the module's tests: they are about what reaches the SMTP
 * server, not about storage, which the mailer's own tests cover on every
 * engine.
 */
export function createTestDatabases(): TestDatabases {
  return TestDatabases.create({ ids: ['SQLITE_3'], disableDocker: true });
}
