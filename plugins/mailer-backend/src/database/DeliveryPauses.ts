import { SmtpReply } from '@elixeum/plugin-mailer-common';
import { Knex } from 'knex';
import { cleanServerText } from '../text/cleanServerText';
import { databaseNow, databaseNowPlus, readDatabaseNow } from './databaseClock';
import { storableCode } from './outboxRows';

const PAUSES = 'mailer_delivery_pauses';

/** A server whose failures hold its mail back, as stored. */
export interface StoredPause {
  laneKey: string;
  /** The tenant whose own server it is; undefined for the default mailbox's. */
  tenantId?: string;
  /** Epoch ms, the database's clock. */
  since: number;
  until: number;
  failures: number;
  reason: string;
  /** What the tenant can do about it. */
  advice?: string;
  reply?: SmtpReply;
}

/** Why a server is paused, as the worker saw it. */
export interface PauseCause {
  reason: string;
  /** What the tenant can do about it, from the failure's classification. */
  advice?: string;
  reply?: SmtpReply;
}

type Row = Record<string, any>;

function toPause(row: Row): StoredPause {
  return {
    laneKey: row.lane_key,
    tenantId: row.tenant_id ?? undefined,
    since: Number(row.paused_since),
    until: Number(row.paused_until),
    failures: Number(row.failures),
    reason: row.reason,
    advice: row.advice ?? undefined,
    reply:
      row.error_code === null && row.response_code === null
        ? undefined
        : {
            code: row.error_code ?? undefined,
            responseCode:
              row.response_code === null
                ? undefined
                : Number(row.response_code),
          },
  };
}

/**
 * Pauses of whole servers (a lane: one server with one version of its
 * settings), shared by every replica: a server that refuses connections or
 * logins is tried again after a growing delay, not once per message.
 */
export class DeliveryPauses {
  constructor(private readonly knex: Knex) {}

  /**
   * Every pause, in force or waiting for its first successful try, and the
   * database's time they were read at.
   */
  async all(): Promise<{ now: number; pauses: Map<string, StoredPause> }> {
    const now = await readDatabaseNow(this.knex);
    const rows: Row[] = await this.knex(PAUSES).select();
    return {
      now,
      pauses: new Map(rows.map(row => [row.lane_key, toPause(row)])),
    };
  }

  /** The pauses of the given lanes. */
  async of(laneKeys: string[]): Promise<StoredPause[]> {
    if (laneKeys.length === 0) return [];
    const rows: Row[] = await this.knex(PAUSES).whereIn('lane_key', laneKeys);
    return rows.map(toPause);
  }

  /**
   * Pauses a lane (again): each failure in a row lengthens the pause, by
   * `delayFor(failures)`. Returns the pause as stored.
   */
  async pause(
    laneKey: string,
    tenantId: string | undefined,
    cause: PauseCause,
    delayFor: (failures: number) => number,
  ): Promise<StoredPause> {
    return this.knex.transaction(async tx => {
      const existing: Row | undefined = await tx(PAUSES)
        .where({ lane_key: laneKey })
        .first();
      const failures = Number(existing?.failures ?? 0) + 1;
      const now = databaseNow(tx);
      const columns = {
        tenant_id: tenantId ?? null,
        paused_until: databaseNowPlus(tx, delayFor(failures)),
        failures,
        // The reason quotes the server: cleaned, so no reply can break the write.
        reason: cleanServerText(cause.reason),
        advice:
          cause.advice === undefined
            ? null
            : cleanServerText(cause.advice, 4000),
        error_code:
          cause.reply?.code === undefined
            ? null
            : cleanServerText(cause.reply.code, 32),
        response_code: storableCode(cause.reply?.responseCode),
        updated_at: now,
      };
      if (existing) {
        await tx(PAUSES).where({ lane_key: laneKey }).update(columns);
      } else {
        await tx(PAUSES)
          .insert({ lane_key: laneKey, paused_since: now, ...columns })
          .onConflict('lane_key')
          .merge(Object.keys(columns));
      }
      return toPause(await tx(PAUSES).where({ lane_key: laneKey }).first());
    });
  }

  /** Ends a lane's pause: it worked again. */
  async clear(laneKey: string): Promise<void> {
    await this.knex(PAUSES).where({ lane_key: laneKey }).delete();
  }

  /**
   * Forgets pauses nobody has tried again for `untouchedMs` (by the
   * database's clock): a server in use is tried at least every maximum
   * pause, so these belong to settings that were replaced, or to tenants
   * with no mail left. Every replica reads every pause on each poll.
   */
  async purgeStale(untouchedMs: number): Promise<number> {
    return this.knex(PAUSES)
      .where('updated_at', '<', databaseNowPlus(this.knex, -untouchedMs))
      .delete();
  }
}
