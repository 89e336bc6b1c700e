import { Knex } from 'knex';
import { eventually } from './outboxHarness';

/** Counts the statements a knex instance sends whose SQL matches a pattern. */
export interface QueryWatch {
  /** Matching statements sent since the watch began. */
  readonly count: number;
  /**
   * Resolves once `more` matching statements have been sent after this
   * call: e.g. a worker has been round its loop again, and a test can look
   * at what it did then instead of sleeping for a while.
   */
  next(more: number, timeoutMs?: number): Promise<void>;
  stop(): void;
}

/**
 * Watches the statements `knex` sends (transactions included) for those
 * whose SQL matches `pattern`, or that `pattern` accepts by SQL and values.
 */
export function watchQueries(
  knex: Knex,
  pattern: RegExp | ((sql: string, bindings: unknown[]) => boolean),
  what = String(pattern),
): QueryWatch {
  const matches =
    pattern instanceof RegExp ? (sql: string) => pattern.test(sql) : pattern;
  let count = 0;
  const listener = (query: { sql?: string; bindings?: unknown[] }) => {
    if (query.sql && matches(query.sql, query.bindings ?? [])) count += 1;
  };
  knex.on('query', listener);
  return {
    get count() {
      return count;
    },
    async next(more, timeoutMs = 10_000) {
      const target = count + more;
      await eventually(
        () => count >= target,
        timeoutMs,
        `${more} more statements matching ${what}`,
      );
    },
    stop() {
      knex.removeListener('query', listener);
    },
  };
}
