import { Knex } from 'knex';

const TABLE = 'mailer_settings';

/** One stored setting; `encryptionKeyId` is set when `value` is ciphertext. */
export interface StoredSetting {
  key: string;
  value: string;
  encryptionKeyId: string | null;
  updatedAt: Date;
  updatedBy: string | null;
}

/** A change to one tenant's rows, applied all together or not at all. */
export interface StoredSettingsChange {
  put: Array<{ key: string; value: string; encryptionKeyId: string | null }>;
  remove: string[];
  /** Entity ref of who made the change. */
  actor?: string;
}

interface SettingRow {
  tenant_id: string;
  setting_key: string;
  value: string;
  encryption_key_id: string | null;
  updated_at: Date | string;
  updated_by: string | null;
}

/** The mailer's settings table: SQL lives here and nowhere else. */
export class SettingsStore {
  constructor(private readonly knex: Knex) {}

  /** Every setting of a tenant, ordered by key. */
  async list(tenantId: string): Promise<StoredSetting[]> {
    const rows = await this.knex<SettingRow>(TABLE)
      .where({ tenant_id: tenantId })
      .orderBy('setting_key');
    return rows.map(row => ({
      key: row.setting_key,
      value: row.value,
      encryptionKeyId: row.encryption_key_id,
      updatedAt: new Date(row.updated_at),
      updatedBy: row.updated_by,
    }));
  }

  /** Applies a change in one transaction: if any statement fails, no row changes. */
  async apply(tenantId: string, change: StoredSettingsChange): Promise<void> {
    await this.knex.transaction(async tx => {
      if (change.remove.length > 0) {
        await tx(TABLE)
          .where({ tenant_id: tenantId })
          .whereIn('setting_key', change.remove)
          .delete();
      }
      if (change.put.length > 0) {
        const now = new Date();
        await tx(TABLE)
          .insert(
            change.put.map(setting => ({
              tenant_id: tenantId,
              setting_key: setting.key,
              value: setting.value,
              encryption_key_id: setting.encryptionKeyId,
              updated_at: now,
              updated_by: change.actor ?? null,
            })),
          )
          .onConflict(['tenant_id', 'setting_key'])
          .merge(['value', 'encryption_key_id', 'updated_at', 'updated_by']);
      }
    });
  }
}
