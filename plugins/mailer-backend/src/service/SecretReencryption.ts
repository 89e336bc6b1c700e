import { LoggerService } from '@backstage/backend-plugin-api';
import { SecretCipher } from '../crypto/SecretCipher';
import {
  SecretReplacement,
  StoredSecret,
  StoredSecrets,
} from '../database/StoredSecrets';
import { secretContext } from './TenantSettingsService';

/** What one run of the re-encryption did, and what is left. */
export interface ReencryptionReport {
  /** Secrets now encrypted with the primary key. */
  reencrypted: number;
  /** Secrets a save replaced while they were re-encrypted: the save won. */
  superseded: number;
  /** Per key id: secrets that failed their integrity check and were left as they were. */
  unreadable: Map<string, number>;
  /** Per key id: secrets still encrypted with it after the run, the primary's included. */
  remaining: Map<string, number>;
}

/** Rows per transaction: short locks, and little lost if a replica stops midway. */
const BATCH_SIZE = 50;

/**
 * Finishes a key rotation: secrets encrypted with any configured key other
 * than the primary are encrypted again with the primary, so the old key can
 * be removed. Secrets under a key id that is no longer configured are
 * counted and reported, never touched. Values are only ever in memory.
 */
export class SecretReencryption {
  constructor(
    private readonly secrets: StoredSecrets,
    private readonly cipher: SecretCipher,
    private readonly logger: LoggerService,
    private readonly batchSize = BATCH_SIZE,
  ) {}

  /** Re-encrypts everything under the older keys, then logs what remains per key id. */
  async run(signal?: AbortSignal): Promise<ReencryptionReport> {
    const report: ReencryptionReport = {
      reencrypted: 0,
      superseded: 0,
      unreadable: new Map(),
      remaining: new Map(),
    };
    const primary = this.cipher.primaryKeyId;
    const older = this.cipher.keyIds.filter(id => id !== primary);
    let after: StoredSecret | undefined;
    while (older.length > 0 && !signal?.aborted) {
      const page = await this.secrets.listUnder(older, this.batchSize, after);
      const replacements = page.flatMap(secret =>
        this.reencrypted(secret, report),
      );
      const replaced = await this.secrets.replace(replacements);
      report.reencrypted += replaced;
      report.superseded += replacements.length - replaced;
      if (page.length < this.batchSize) break;
      after = page[page.length - 1];
    }
    report.remaining = await this.secrets.countByKey();
    this.log(report);
    return report;
  }

  private reencrypted(
    secret: StoredSecret,
    report: ReencryptionReport,
  ): SecretReplacement[] {
    const context = secretContext(secret.tenantId, secret.key);
    try {
      const plaintext = this.cipher.decrypt(
        { keyId: secret.keyId, ciphertext: secret.ciphertext },
        context,
      );
      return [{ read: secret, next: this.cipher.encrypt(plaintext, context) }];
    } catch {
      // Altered, or another key under the same id: delivery reports it for
      // the tenant; here it is only counted.
      const { unreadable } = report;
      unreadable.set(secret.keyId, (unreadable.get(secret.keyId) ?? 0) + 1);
      return [];
    }
  }

  private log(report: ReencryptionReport): void {
    const primary = this.cipher.primaryKeyId;
    if (report.reencrypted > 0) {
      this.logger.info(
        `Re-encrypted ${report.reencrypted} stored secrets with encryption key "${primary}"`,
      );
    }
    for (const [keyId, count] of report.unreadable) {
      this.logger.warn(
        `${count} stored secrets under encryption key "${keyId}" failed their integrity check and were left as they are; their tenants must enter them again`,
      );
    }
    for (const keyId of this.cipher.keyIds) {
      if (keyId === primary) continue;
      const count = report.remaining.get(keyId) ?? 0;
      this.logger.info(
        count === 0
          ? `No secrets left under encryption key "${keyId}": it can be removed from mailer.encryption.keys`
          : `${count} stored secrets remain under encryption key "${keyId}"`,
      );
    }
    for (const [keyId, count] of report.remaining) {
      if (this.cipher.hasKey(keyId)) continue;
      this.logger.warn(
        `${count} stored secrets are under encryption key "${keyId}", which is not in mailer.encryption.keys: their tenants' mail waits until the key is added back (after the primary key) or the secrets are entered again`,
      );
    }
  }
}
