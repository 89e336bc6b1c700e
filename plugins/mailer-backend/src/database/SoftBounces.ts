import { Knex } from 'knex';
import { databaseNow, databaseNowPlus } from './databaseClock';
import { suppressionKey } from './SuppressionStore';

const SOFT_BOUNCES = 'mailer_soft_bounces';

/**
 * Soft bounces (a full mailbox) per tenant, address and message: one row
 * per message, however often its attempts bounced, so that "again and
 * again" means several messages, not one message's retries.
 */
export class SoftBounces {
  constructor(private readonly knex: Knex) {}

  /**
   * Records that `messageId` bounced softly at `address`; returns how many
   * of the address's messages bounced softly within `windowMs`, this one
   * included.
   */
  async record(
    tenantId: string,
    address: string,
    messageId: string,
    windowMs: number,
  ): Promise<number> {
    const key = { tenant_id: tenantId, address: suppressionKey(address) };
    await this.knex(SOFT_BOUNCES)
      .insert({
        ...key,
        message_id: messageId,
        bounced_at: databaseNow(this.knex),
      })
      .onConflict(['tenant_id', 'address', 'message_id'])
      .ignore();
    const [{ n }] = await this.knex(SOFT_BOUNCES)
      .where(key)
      .andWhere('bounced_at', '>', databaseNowPlus(this.knex, -windowMs))
      .count({ n: '*' });
    return Number(n);
  }

  /** Deletes soft bounces older than `ms`; returns how many. */
  async purgeOlderThan(ms: number): Promise<number> {
    return this.knex(SOFT_BOUNCES)
      .where('bounced_at', '<=', databaseNowPlus(this.knex, -ms))
      .delete();
  }
}
