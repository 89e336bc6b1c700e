import { Knex } from 'knex';
import { readDatabaseNow } from './databaseClock';
import { CAMPAIGNS, FINAL_STORED_STATES, OUTBOX } from './outboxRows';
import { SEND_KEYS } from './SendKeys';

/** Deletes what the outbox no longer needs to keep. */
export class OutboxRetention {
  constructor(private readonly knex: Knex) {}

  /** Deletes finished messages older than `retentionMs`, and campaigns left empty. */
  async purgeFinished(retentionMs: number): Promise<number> {
    const before = (await readDatabaseNow(this.knex)) - retentionMs;
    const deleted = await this.knex(OUTBOX)
      .whereIn('state', FINAL_STORED_STATES)
      .andWhere('updated_at', '<', before)
      .delete();
    await this.knex(CAMPAIGNS)
      .where('created_at', '<', before)
      .whereNotExists(
        this.knex(OUTBOX)
          .select('id')
          .whereRaw(`${OUTBOX}.campaign_id = ${CAMPAIGNS}.id`),
      )
      .delete();
    return deleted;
  }

  /** Deletes idempotency keys of single sends older than `maxAgeMs`; returns how many. */
  async purgeSendKeys(maxAgeMs: number): Promise<number> {
    const before = (await readDatabaseNow(this.knex)) - maxAgeMs;
    return this.knex(SEND_KEYS).where('created_at', '<', before).delete();
  }
}
