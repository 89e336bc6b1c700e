import { Knex } from 'knex';

/** Deadlocks and lock timeouts: the database gave up on one side, trying again works. */
function isLockConflict(error: unknown): boolean {
  const { code, errno } = (error ?? {}) as { code?: string; errno?: number };
  return (
    code === '40P01' || // PostgreSQL deadlock_detected
    code === '40001' || // PostgreSQL serialization_failure
    errno === 1213 || // MySQL ER_LOCK_DEADLOCK
    errno === 1205 || // MySQL ER_LOCK_WAIT_TIMEOUT
    code === 'SQLITE_BUSY'
  );
}

/**
 * Runs a transaction, again (a few times, briefly apart) when the database
 * broke a deadlock by rolling it back: under concurrent claims on MySQL an
 * innocent DELETE can be the side that is chosen.
 */
export async function retryTransaction<T>(
  knex: Knex,
  work: (tx: Knex.Transaction) => Promise<T>,
  attempts = 4,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await knex.transaction(work);
    } catch (error) {
      if (attempt >= attempts || !isLockConflict(error)) throw error;
      await new Promise(resolve => setTimeout(resolve, 20 * attempt));
    }
  }
}
