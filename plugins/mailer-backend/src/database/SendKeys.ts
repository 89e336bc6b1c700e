import { Knex } from 'knex';
import { databaseNow, readDatabaseNow } from './databaseClock';

/** The table of idempotency keys; the retention task purges it too. */
export const SEND_KEYS = 'mailer_send_keys';

/** Whose key it is: a calling service's own key, within one tenant. */
export interface SendKeyId {
  tenantId: string;
  /** The calling service's subject, e.g. `plugin:notifications`. */
  caller: string;
  key: string;
}

/** What a key stands for: the first message it queued, and of which request. */
export interface SendKeyUse {
  messageId: string;
  /** SHA-256 (hex) of the request that queued it. */
  requestHash: string;
}

/**
 * The idempotency keys of single sends. The key's row is written in the
 * same transaction as its message (`insertSendKeys`), so a key is stored
 * exactly when its message is queued.
 */
export class SendKeys {
  constructor(private readonly knex: Knex) {}

  /**
   * What the key queued, if it was used within `maxAgeMs`. An older row
   * is deleted here, so that the key can be used afresh: the hourly purge
   * may not have run yet.
   */
  async find(id: SendKeyId, maxAgeMs: number): Promise<SendKeyUse | undefined> {
    const where = {
      tenant_id: id.tenantId,
      caller: id.caller,
      idempotency_key: id.key,
    };
    const row = await this.knex(SEND_KEYS)
      .where(where)
      .first('message_id', 'request_hash', 'created_at');
    if (!row) return undefined;
    const cutoff = (await readDatabaseNow(this.knex)) - maxAgeMs;
    if (Number(row.created_at) < cutoff) {
      await this.knex(SEND_KEYS)
        .where(where)
        .andWhere('created_at', '<', cutoff)
        .delete();
      return undefined;
    }
    return { messageId: row.message_id, requestHash: row.request_hash };
  }
}

/**
 * Stores keys inside the transaction that queues their messages. Called
 * first there: a concurrent send with the same key then fails on the
 * primary key (`isDuplicateKey`) before either queues anything, and the
 * loser reads the winner's message with `find` once the winner has
 * committed.
 */
export async function insertSendKeys(
  tx: Knex.Transaction,
  keys: Array<{ id: SendKeyId; use: SendKeyUse }>,
): Promise<void> {
  if (keys.length === 0) return;
  await tx(SEND_KEYS).insert(
    keys.map(({ id, use }) => ({
      tenant_id: id.tenantId,
      caller: id.caller,
      idempotency_key: id.key,
      request_hash: use.requestHash,
      message_id: use.messageId,
      created_at: databaseNow(tx),
    })),
  );
}

/** Whether the database refused a row because its primary key was taken. */
export function isDuplicateKey(error: unknown): boolean {
  const { code, errno, message } = (error ?? {}) as {
    code?: string;
    errno?: number;
    message?: string;
  };
  return (
    code === '23505' || // PostgreSQL unique_violation
    errno === 1062 || // MySQL ER_DUP_ENTRY
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || // better-sqlite3
    (code === 'SQLITE_CONSTRAINT' && /UNIQUE constraint/.test(message ?? '')) // sqlite3
  );
}
