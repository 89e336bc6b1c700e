import { Knex } from 'knex';

const TABLE = 'mailer_settings';

/** One encrypted setting as stored. */
export interface StoredSecret {
  tenantId: string;
  key: string;
  keyId: string;
  ciphertext: string;
}

/** A stored secret to replace with `next`, if it still holds what was read. */
export interface SecretReplacement {
  read: StoredSecret;
  next: { keyId: string; ciphertext: string };
}

/**
 * The encrypted rows of the settings table, across tenants, for the work of
 * key rotation: which keys they use, and re-encrypted values written back.
 */
export class StoredSecrets {
  constructor(private readonly knex: Knex) {}

  /** How many secrets each key id encrypts, over all tenants. */
  async countByKey(): Promise<Map<string, number>> {
    const rows: Array<{ keyId: string; count: number | string }> =
      await this.knex(TABLE)
        .select({ keyId: 'encryption_key_id' })
        .count({ count: '*' })
        .whereNotNull('encryption_key_id')
        .groupBy('encryption_key_id');
    return new Map(rows.map(r => [r.keyId, Number(r.count)]));
  }

  /**
   * Up to `limit` secrets encrypted with one of `keyIds`, in tenant and key
   * order, after `after`: a page that moves on even past rows left as they were.
   */
  async listUnder(
    keyIds: string[],
    limit: number,
    after?: { tenantId: string; key: string },
  ): Promise<StoredSecret[]> {
    if (keyIds.length === 0) return [];
    const query = this.knex(TABLE)
      .select({
        tenantId: 'tenant_id',
        key: 'setting_key',
        keyId: 'encryption_key_id',
        ciphertext: 'value',
      })
      .whereIn('encryption_key_id', keyIds)
      .orderBy([
        { column: 'tenant_id', order: 'asc' },
        { column: 'setting_key', order: 'asc' },
      ])
      .limit(limit);
    if (after) {
      query.where(page =>
        page
          .where('tenant_id', '>', after.tenantId)
          .orWhere(tenant =>
            tenant
              .where('tenant_id', after.tenantId)
              .andWhere('setting_key', '>', after.key),
          ),
      );
    }
    return query;
  }

  /**
   * Writes the replacements in one transaction, each only while its row
   * still holds the ciphertext that was read: a save in between wins.
   * `updated_at` and `updated_by` stay, since the value is the same.
   * Returns how many rows were replaced.
   */
  async replace(replacements: SecretReplacement[]): Promise<number> {
    if (replacements.length === 0) return 0;
    return this.knex.transaction(async tx => {
      let replaced = 0;
      for (const { read, next } of replacements) {
        replaced += await tx(TABLE)
          .where({
            tenant_id: read.tenantId,
            setting_key: read.key,
            encryption_key_id: read.keyId,
            value: read.ciphertext,
          })
          .update({ value: next.ciphertext, encryption_key_id: next.keyId });
      }
      return replaced;
    });
  }
}
