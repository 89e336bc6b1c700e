import { InputError } from '@backstage/errors';
import {
  describeSettingProblems,
  findSettingKey,
  findSettingsChangeProblems,
  MailerStatus,
  NotificationSettingsResponse,
  SettingsChange,
} from '@elixeum/plugin-mailer-common';
import { createHash } from 'node:crypto';
import { SmtpServerSettings } from '../config';
import { SecretCipher } from '../crypto/SecretCipher';
import {
  SettingsStore,
  StoredSetting,
  StoredSettingsChange,
} from '../database/SettingsStore';
import { statusOf, toCustomServer } from './customServer';

/** A tenant's stored settings at one moment, still encrypted. */
export interface TenantSettingsSnapshot {
  tenantId: string;
  /** Changes whenever any stored value of the tenant changes. */
  fingerprint: string;
  settings: StoredSetting[];
}

/** Binds a ciphertext to its row, so it cannot be moved to another tenant or key. */
function secretContext(tenantId: string, key: string): string {
  return `mailer-settings:${tenantId}:${key}`;
}

function fingerprintOf(settings: StoredSetting[]): string {
  const hash = createHash('sha256');
  for (const s of settings)
    hash.update(`${s.key}\0${s.encryptionKeyId ?? ''}\0${s.value}\0`);
  return hash.digest('base64url');
}

/**
 * A tenant's notification settings: validation, encryption of secrets, and
 * the views the API returns. Secrets are decrypted only for delivery.
 */
export class TenantSettingsService {
  constructor(
    private readonly store: SettingsStore,
    private readonly cipher: SecretCipher,
    private readonly defaultSender: string,
  ) {}

  async getSettings(tenantId: string): Promise<NotificationSettingsResponse> {
    const settings = await this.store.list(tenantId);
    return {
      settings: settings.map(s =>
        s.encryptionKeyId === null
          ? { key: s.key, value: s.value, set: true, secret: false }
          : { key: s.key, set: true, secret: true },
      ),
      status: this.statusOfSettings(settings),
    };
  }

  async getStatus(tenantId: string): Promise<MailerStatus> {
    return this.statusOfSettings(await this.store.list(tenantId));
  }

  /**
   * Applies a change as a whole. Throws `InputError` naming every bad key, in
   * which case nothing is stored.
   */
  async updateSettings(
    tenantId: string,
    change: SettingsChange,
    actor?: string,
  ): Promise<NotificationSettingsResponse> {
    const problems = findSettingsChangeProblems(change);
    if (problems.length > 0) {
      throw new InputError(
        `Invalid settings: ${describeSettingProblems(problems)}`,
      );
    }
    await this.store.apply(
      tenantId,
      this.toStoredChange(tenantId, change, actor),
    );
    return this.getSettings(tenantId);
  }

  /** Removes one key; removing a key that is not set changes nothing. */
  async removeSetting(
    tenantId: string,
    key: string,
    actor?: string,
  ): Promise<NotificationSettingsResponse> {
    return this.updateSettings(tenantId, { [key]: null }, actor);
  }

  /** The stored settings of a tenant, for code that caches what it derives from them. */
  async snapshot(tenantId: string): Promise<TenantSettingsSnapshot> {
    const settings = await this.store.list(tenantId);
    return { tenantId, fingerprint: fingerprintOf(settings), settings };
  }

  /** The tenant's own server with its password decrypted, or undefined while keys are missing. */
  customServerOf(
    snapshot: TenantSettingsSnapshot,
  ): SmtpServerSettings | undefined {
    const values = new Map(
      snapshot.settings.map(s => [
        s.key,
        s.encryptionKeyId === null
          ? s.value
          : this.cipher.decrypt(
              { keyId: s.encryptionKeyId, ciphertext: s.value },
              secretContext(snapshot.tenantId, s.key),
            ),
      ]),
    );
    return toCustomServer(values, this.defaultSender);
  }

  private statusOfSettings(settings: StoredSetting[]): MailerStatus {
    // Secrets never influence the status beyond being set, so they are not decrypted.
    const values = new Map(
      settings.map(s => [s.key, s.encryptionKeyId === null ? s.value : '']),
    );
    return statusOf(values, this.defaultSender);
  }

  private toStoredChange(
    tenantId: string,
    change: SettingsChange,
    actor?: string,
  ): StoredSettingsChange {
    const stored: StoredSettingsChange = { put: [], remove: [], actor };
    for (const [key, value] of Object.entries(change)) {
      const secret = findSettingKey(key)!.secret;
      if (value === null) {
        stored.remove.push(key);
      } else if (!secret) {
        stored.put.push({ key, value, encryptionKeyId: null });
      } else if (value !== '') {
        const encrypted = this.cipher.encrypt(
          value,
          secretContext(tenantId, key),
        );
        stored.put.push({
          key,
          value: encrypted.ciphertext,
          encryptionKeyId: encrypted.keyId,
        });
      }
      // An empty secret keeps the stored one, as a blank password field does.
    }
    return stored;
  }
}
