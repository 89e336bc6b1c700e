import { ConflictError } from '@backstage/errors';
import { createHash } from 'node:crypto';
import {
  isDuplicateKey,
  SendKeyId,
  SendKeys,
  SendKeyUse,
} from '../database/SendKeys';

/** How long an idempotency key stands for the message it first queued. */
export const SEND_KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** The stored caller's size; a longer subject is stored as its hash. */
const MAX_CALLER_LENGTH = 190;

/** A send with the caller's idempotency key, and what it asks for. */
export interface KeyedSend {
  tenantId: string;
  /** The calling service's subject: each caller has keys of its own. */
  caller: string;
  key: string;
  /** The request as queued (message and priority): the same key must repeat it. */
  request: unknown;
}

/** The key's row, for the transaction that queues its message. */
export interface SendKeyRow {
  id: SendKeyId;
  use: SendKeyUse;
}

const sha256 = (text: string) =>
  createHash('sha256').update(text, 'utf8').digest('hex');

/** JSON with every object's keys in order, so equal requests hash alike. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_name, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v).sort(([a], [b]) => (a < b ? -1 : Number(a > b))),
        )
      : v,
  );
}

/**
 * Single sends with an idempotency key (`Idempotency-Key`): the same key
 * from the same caller and tenant within 24 hours queues nothing more and
 * answers with the first message's id, also when both sends arrive at
 * once; the key repeated for another message is refused.
 */
export class IdempotentSends {
  constructor(private readonly keys: SendKeys) {}

  /**
   * The id of the message the key queued: the one `queue` stores (given
   * the key's row to write in its transaction), or the earlier send's.
   */
  async once(
    send: KeyedSend,
    messageId: string,
    queue: (row: SendKeyRow) => Promise<void>,
  ): Promise<{ id: string; queued: boolean }> {
    const id: SendKeyId = {
      tenantId: send.tenantId,
      caller:
        send.caller.length > MAX_CALLER_LENGTH
          ? `sha256:${sha256(send.caller)}`
          : send.caller,
      key: send.key,
    };
    const requestHash = sha256(canonicalJson(send.request));
    // The key is stored with the message, first in its transaction: most
    // keys are new, so no read before. A taken key fails there, on the
    // primary key, before anything is queued, and is read afterwards (the
    // send that took it has committed, since our insert waited for it).
    for (let tries = 0; ; tries++) {
      try {
        await queue({ id, use: { messageId, requestHash } });
        return { id: messageId, queued: true };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const winner = await this.earlier(id, requestHash);
        if (winner) return { id: winner, queued: false };
        // It was older than a day and is gone now: the key is free again.
        if (tries >= 1) throw error;
      }
    }
  }

  private async earlier(
    id: SendKeyId,
    requestHash: string,
  ): Promise<string | undefined> {
    const use = await this.keys.find(id, SEND_KEY_LIFETIME_MS);
    if (use && use.requestHash !== requestHash) {
      throw new ConflictError(
        'This Idempotency-Key was used for another message within the last 24 hours; send a new message with a new key',
      );
    }
    return use?.messageId;
  }
}
