import {
  ConnectionTestEntry,
  SettingsChangeEntry,
  SettingsHistoryEntry,
  SuppressionRemovedEntry,
} from '@elixeum/plugin-mailer-common';
import { Knex } from 'knex';
import { databaseNow, databaseNowPlus } from './databaseClock';

const TABLE = 'mailer_settings_history';

/** One line of history as it is recorded; the database's clock adds the time. */
export type SettingsHistoryRecord =
  | Omit<SettingsChangeEntry, 'at'>
  | Omit<ConnectionTestEntry, 'at'>
  | Omit<SuppressionRemovedEntry, 'at'>;

interface HistoryRow {
  id: number | string;
  tenant_id: string;
  kind: string;
  actor: string | null;
  created_at: number | string;
  details: string;
}

/** The settings history table: who changed which keys and who tested what, never values. */
export class SettingsHistoryStore {
  constructor(private readonly knex: Knex) {}

  /** Adds a line; pass the transaction of the change it describes, so both commit or neither. */
  async record(
    tenantId: string,
    record: SettingsHistoryRecord,
    db: Knex | Knex.Transaction = this.knex,
  ): Promise<void> {
    const { kind, actor, ...details } = record;
    await db(TABLE).insert({
      tenant_id: tenantId,
      kind,
      actor: actor ?? null,
      created_at: databaseNow(this.knex),
      details: JSON.stringify(details),
    });
  }

  /** The tenant's latest lines, newest first. */
  async list(tenantId: string, limit: number): Promise<SettingsHistoryEntry[]> {
    const rows = await this.knex<HistoryRow>(TABLE)
      .where({ tenant_id: tenantId })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit);
    return rows.map(row => ({
      ...JSON.parse(row.details),
      kind: row.kind,
      at: new Date(Number(row.created_at)).toISOString(),
      ...(row.actor ? { actor: row.actor } : {}),
    }));
  }

  /** Deletes lines older than `retentionMs`; returns how many. */
  async purgeOlderThan(retentionMs: number): Promise<number> {
    return this.knex(TABLE)
      .where('created_at', '<', databaseNowPlus(this.knex, -retentionMs))
      .delete();
  }
}
