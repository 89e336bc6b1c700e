import { InputError } from '@backstage/errors';
import {
  describeSettingProblems,
  findSettingKey,
  findSettingsChangeProblems,
  MailerStatus,
  NotificationSettingsResponse,
  SettingsChange,
  SMTP_KEYS,
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

/** Throws an `InputError` that names every bad key of the change. */
function assertValidChange(change: SettingsChange): void {
  const problems = findSettingsChangeProblems(change);
  if (problems.length > 0) {
    throw new InputError(
      `Invalid settings: ${describeSettingProblems(problems)}`,
    );
  }
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
    assertValidChange(change);
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

  /** The tenant's messages-per-minute limit while its own server is in use. */
  async rateLimitOf(tenantId: string): Promise<number | undefined> {
    const settings = await this.store.list(tenantId);
    const limit = settings.find(s => s.key === SMTP_KEYS.rateLimit)?.value;
    if (!limit || this.statusOfSettings(settings).server !== 'custom') {
      return undefined;
    }
    return Number(limit);
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
    return toCustomServer(this.decrypt(snapshot), this.defaultSender);
  }

  /**
   * The server the tenant's settings would describe after `change` (the form
   * being edited, not yet saved): a blank secret means the stored one. Throws
   * `InputError` for bad values and for required keys still missing.
   */
  async previewCustomServer(
    tenantId: string,
    change: SettingsChange,
  ): Promise<SmtpServerSettings> {
    assertValidChange(change);
    const values = this.decrypt(await this.snapshot(tenantId));
    for (const [key, value] of Object.entries(change)) {
      if (value === null) values.delete(key);
      else if (value !== '') values.set(key, value);
    }
    const server = toCustomServer(values, this.defaultSender);
    if (!server) {
      const missing = statusOf(values, this.defaultSender).missingKeys;
      throw new InputError(
        `Cannot test the SMTP server: ${missing.join(', ')} not set`,
      );
    }
    return server;
  }

  private decrypt(snapshot: TenantSettingsSnapshot): Map<string, string> {
    return new Map(
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
