import { Knex } from 'knex';
import { databaseNow } from './databaseClock';
import { OUTBOX, Row } from './outboxRows';

const PAUSES = 'mailer_delivery_pauses';

/** Messages due now at one priority, and how long the longest-waiting one has been due. */
export interface DueReading {
  priority: number;
  due: number;
  /** Milliseconds, the database's clock. */
  oldestDueMs: number;
}

/** Servers whose pause is in force, counted by what paused them. */
export interface PauseReading {
  /** The default mailbox's server, rather than a tenant's own. */
  isDefault: boolean;
  errorCode?: string;
  responseCode?: number;
  count: number;
}

/**
 * What the gauges of the metrics read from the database: one statement
 * each, over every tenant, whatever the size of the outbox.
 */
export class MetricReadings {
  constructor(private readonly knex: Knex) {}

  /**
   * The due backlog by priority: waiting messages whose next attempt is
   * due. Read from the waiting index alone (its predicate's own words, so
   * every engine uses it), with the database's time taken once.
   */
  async dueBacklog(): Promise<DueReading[]> {
    const { knex } = this;
    // A scalar subquery: PostgreSQL's clock_timestamp() is read once, not per row.
    const now = knex.raw(`(SELECT ${databaseNow(knex).toQuery()})`);
    const rows: Row[] = await knex(OUTBOX)
      .whereRaw("state = 'waiting'")
      .andWhere('next_attempt_at', '<=', now)
      .select('priority')
      .count({ due: '*' })
      .select(
        knex.raw(`${now.toQuery()} - min(next_attempt_at) AS oldest_due_ms`),
      )
      .groupBy('priority');
    return rows.map(row => ({
      priority: Number(row.priority),
      due: Number(row.due),
      oldestDueMs: Math.max(0, Number(row.oldest_due_ms)),
    }));
  }

  /** Servers paused now (their pause has not ended), by whose server and what paused it. */
  async pausedServers(): Promise<PauseReading[]> {
    const { knex } = this;
    const isDefault = knex.raw('CASE WHEN tenant_id IS NULL THEN 1 ELSE 0 END');
    const rows: Row[] = await knex(PAUSES)
      .where('paused_until', '>', databaseNow(knex))
      .select({ is_default: isDefault, error_code: 'error_code' })
      .select('response_code')
      .count({ n: '*' })
      // One raw expression per groupBy: knex reads only the first of several.
      .groupBy(isDefault)
      .groupBy('error_code', 'response_code');
    return rows.map(row => ({
      isDefault: Number(row.is_default) === 1,
      errorCode: row.error_code ?? undefined,
      responseCode:
        row.response_code === null ? undefined : Number(row.response_code),
      count: Number(row.n),
    }));
  }
}
