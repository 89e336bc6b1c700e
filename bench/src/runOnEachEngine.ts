/* eslint-disable no-console */

/** The engines a bench runs on. */
export type BenchEngine = 'sqlite' | 'postgres';

/**
 * Runs a bench script: prints its title, measures on SQLite and, when
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is set, on
 * PostgreSQL, then exits (the backends' pools would keep the process on).
 */
export function runOnEachEngine(
  title: string,
  measure: (engine: BenchEngine) => Promise<void>,
): void {
  const main = async () => {
    console.log(title);
    await measure('sqlite');
    if (process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING) {
      await measure('postgres');
    } else {
      console.log(
        'postgres skipped: set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING',
      );
    }
    process.exit(0);
  };
  main().catch(error => {
    console.error(error);
    process.exit(1);
  });
}
