import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import { engineOf } from './databaseClock';
import { retryTransaction } from './retryTransaction';

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

/** Work done in a settings change's transaction, given the changed keys' rows as they were. */
export type AlongsideChange = (
  tx: Knex.Transaction,
  before: StoredSetting[],
) => Promise<void>;

function toStoredSetting(row: SettingRow): StoredSetting {
  return {
    key: row.setting_key,
    value: row.value,
    encryptionKeyId: row.encryption_key_id,
    updatedAt: new Date(row.updated_at),
    updatedBy: row.updated_by,
  };
}

/** The first key of the advisory locks that serialise a tenant's settings changes on PostgreSQL. */
const SETTINGS_LOCK_SPACE = 0x6d6c7273; // "mlrs"

/** Whether two lists of a tenant's settings hold the same keys and values. */
function sameSettings(a: StoredSetting[], b: StoredSetting[]): boolean {
  const text = (list: StoredSetting[]) =>
    JSON.stringify(
      [...list]
        .sort((x, y) => x.key.localeCompare(y.key))
        .map(s => [s.key, s.value, s.encryptionKeyId]),
    );
  return text(a) === text(b);
}

/**
 * One tenant's rows of the mailer's settings table: reads, and changes all
 * or nothing. The cross-tenant work of key rotation is in `StoredSecrets`.
 */
export class SettingsStore {
  constructor(private readonly knex: Knex) {}

  /** Every setting of a tenant, ordered by key. */
  async list(tenantId: string): Promise<StoredSetting[]> {
    const rows = await this.knex<SettingRow>(TABLE)
      .where({ tenant_id: tenantId })
      .orderBy('setting_key');
    return rows.map(toStoredSetting);
  }

  /**
   * Applies a change in one transaction: if any statement fails, no row
   * changes. `alongside` runs in the same transaction first, given the rows
   * of the changed keys as they were (e.g. to record the change's history).
   */
  async apply(
    tenantId: string,
    change: StoredSettingsChange,
    alongside?: AlongsideChange,
    options: {
      /**
       * The settings the change was checked against (e.g. that a stored
       * password keeps its server). If the tenant's rows differ by the time
       * the change is written, another change came in between: it is
       * refused with a ConflictError instead of being mixed with that one.
       */
      checkedAgainst?: StoredSetting[];
    } = {},
  ): Promise<void> {
    // Retried when MySQL breaks a deadlock between two first saves of a
    // tenant: the retry then sees the other save and refuses to mix.
    await retryTransaction(this.knex, async tx => {
      const { checkedAgainst } = options;
      if (checkedAgainst) await this.lockTenant(tx, tenantId);
      // The tenant's rows as they are now, read once for both uses (a
      // tenant has a few dozen at most).
      const current =
        checkedAgainst || alongside
          ? (await tx<SettingRow>(TABLE).where({ tenant_id: tenantId })).map(
              toStoredSetting,
            )
          : [];
      if (checkedAgainst && !sameSettings(current, checkedAgainst)) {
        throw new ConflictError(
          'The settings were changed by someone else while yours were being saved; reload them and try again',
        );
      }
      if (alongside) {
        const changed = new Set([
          ...change.remove,
          ...change.put.map(s => s.key),
        ]);
        await alongside(
          tx,
          current.filter(s => changed.has(s.key)),
        );
      }
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

  /**
   * Holds off other changes of the tenant's settings until the transaction
   * ends, including the first ones (no rows to lock yet). SQLite runs one
   * writer at a time anyway; MySQL's next-key locks cover the tenant's
   * index range, rows or not.
   */
  private async lockTenant(tx: Knex.Transaction, tenantId: string) {
    const engine = engineOf(this.knex);
    if (engine === 'pg') {
      await tx.raw('SELECT pg_advisory_xact_lock(?, hashtext(?))', [
        SETTINGS_LOCK_SPACE,
        tenantId,
      ]);
    } else if (engine === 'mysql') {
      await tx(TABLE)
        .where({ tenant_id: tenantId })
        .forUpdate()
        .select('tenant_id');
    }
  }

  /**
   * Replaces one stored value, but only while it is still `expected` (the
   * stored text, e.g. a ciphertext): a save in between wins. Returns
   * whether it was replaced.
   */
  async replaceIfUnchanged(
    tenantId: string,
    expected: string,
    setting: { key: string; value: string; encryptionKeyId: string | null },
    actor: string,
  ): Promise<boolean> {
    const updated = await this.knex<SettingRow>(TABLE)
      .where({
        tenant_id: tenantId,
        setting_key: setting.key,
        value: expected,
      })
      .update({
        value: setting.value,
        encryption_key_id: setting.encryptionKeyId,
        updated_at: new Date(),
        updated_by: actor,
      });
    return updated === 1;
  }
}
