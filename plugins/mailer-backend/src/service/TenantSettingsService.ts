import { InputError } from '@backstage/errors';
import {
  describeSettingProblems,
  findSecretsNoLongerUsed,
  findSecretsToReenter,
  findSettingKey,
  findSettingsChangeProblems,
  MailerStatus,
  NotificationSettingsResponse,
  SendingLimits,
  sendingLimitsOf,
  SettingsChange,
  SMTP_KEYS,
  StoredSettingsView,
} from '@elixeum/plugin-mailer-common';
import { createHash } from 'node:crypto';
import { RefreshTokenRotation } from '../oauth/OAuthTokens';
import { DkimSigningKey, SmtpServerSettings } from '../smtp/SmtpServerSettings';
import { SecretCipher } from '../crypto/SecretCipher';
import {
  SettingsStore,
  StoredSetting,
  StoredSettingsChange,
} from '../database/SettingsStore';
import { ServerPolicy, TOKEN_URL_TARGET } from '../security/ServerPolicy';
import { statusOf, toCustomServer } from './customServer';
import { SettingsHistory } from './SettingsHistory';
import { findKeyMaterialProblems } from './keyMaterialProblems';

/**
 * Where a tenant's mail would go: its own server, or the default mailbox
 * while `missingKeys` are not set.
 */
export type ServerPreview =
  | { server: 'custom'; settings: SmtpServerSettings }
  | { server: 'default'; missingKeys: string[] };

/** A tenant's stored settings at one moment, still encrypted. */
export interface TenantSettingsSnapshot {
  tenantId: string;
  /** Changes whenever any stored value of the tenant changes. */
  fingerprint: string;
  settings: StoredSetting[];
}

/** Binds a ciphertext to its row, so it cannot be moved to another tenant or key. */
export function secretContext(tenantId: string, key: string): string {
  return `mailer-settings:${tenantId}:${key}`;
}

/** Throws an `InputError` that names every bad key of the change. */
function assertValidChange(change: SettingsChange): void {
  const problems = findSettingsChangeProblems(change);
  // Parsing certificates and keys only makes sense once their shape is right.
  if (problems.length === 0) problems.push(...findKeyMaterialProblems(change));
  if (problems.length > 0) {
    throw new InputError(
      `Invalid settings: ${describeSettingProblems(problems)}`,
    );
  }
}

/** Stored values as the secret-binding rule sees them; secrets stay encrypted. */
function storedView(settings: StoredSetting[]): StoredSettingsView {
  return {
    values: new Map(
      settings
        .filter(s => s.encryptionKeyId === null)
        .map(s => [s.key, s.value]),
    ),
    storedSecrets: new Set(
      settings.filter(s => s.encryptionKeyId !== null).map(s => s.key),
    ),
  };
}

/**
 * Refuses a change that would send a stored secret to another server: the
 * password belongs to the server, port, username and security it was saved with.
 */
function assertSecretsStayWithTheirServer(
  change: SettingsChange,
  settings: StoredSetting[],
): void {
  const problems = findSecretsToReenter(change, storedView(settings));
  if (problems.length > 0) {
    throw new InputError(describeSettingProblems(problems));
  }
}

/**
 * The change, plus the removal of every stored secret it stops using (the
 * password when the login becomes OAuth2): an unused secret is not kept
 * around for a later switch back to reuse.
 */
function withUnusedSecretsRemoved(
  change: SettingsChange,
  settings: StoredSetting[],
): SettingsChange {
  const unused = findSecretsNoLongerUsed(change, storedView(settings));
  return unused.length === 0
    ? change
    : { ...change, ...Object.fromEntries(unused.map(key => [key, null])) };
}

/** The value a key has after `change`: the new one, or the stored one when the change leaves it. */
function valueAfter(
  change: SettingsChange,
  settings: StoredSetting[],
  key: string,
): string | undefined {
  const changed = change[key];
  if (changed === null) return undefined;
  if (changed !== undefined) return changed;
  return settings.find(s => s.key === key)?.value;
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
  private readonly listeners = new Set<(tenantId: string) => void>();

  constructor(
    private readonly store: SettingsStore,
    private readonly cipher: SecretCipher,
    private readonly defaultSender: string,
    /** Which servers tenants may use. */
    private readonly serverPolicy: ServerPolicy,
    /** Where each change's key names are recorded, in the change's transaction. */
    private readonly history?: SettingsHistory,
  ) {}

  /** Calls `listener` after a tenant's settings changed on this replica. */
  onChange(listener: (tenantId: string) => void): void {
    this.listeners.add(listener);
  }

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
   * Applies a change as a whole. Throws `InputError` naming every bad key, a
   * stored password left blank for a new server, or a server the policy
   * refuses, and `ConflictError` when another change came in meanwhile; in
   * each case nothing is stored.
   */
  async updateSettings(
    tenantId: string,
    change: SettingsChange,
    actor?: string,
  ): Promise<NotificationSettingsResponse> {
    assertValidChange(change);
    const stored = await this.store.list(tenantId);
    assertSecretsStayWithTheirServer(change, stored);
    if (
      typeof change[SMTP_KEYS.server] === 'string' ||
      typeof change[SMTP_KEYS.port] === 'string'
    ) {
      await this.checkServerPolicy(change, stored);
    }
    await this.checkTokenUrlPolicy(change);
    const storedChange = this.toStoredChange(
      tenantId,
      withUnusedSecretsRemoved(change, stored),
      actor,
    );
    const { history } = this;
    await this.store.apply(
      tenantId,
      storedChange,
      history &&
        ((tx, before) =>
          history.recordChange(tx, tenantId, before, storedChange)),
      // The checks above hold only if nobody changed the settings since.
      { checkedAgainst: stored },
    );
    for (const listener of this.listeners) listener(tenantId);
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

  /** Whether the snapshot's settings are complete: mail goes through the tenant's own server. */
  usesCustomServer(snapshot: TenantSettingsSnapshot): boolean {
    return this.statusOfSettings(snapshot.settings).server === 'custom';
  }

  /**
   * The limits set for the tenant's own server, if any: messages a minute
   * and recipients a day, from SMTP.RateLimit and SMTP.DailyLimit or the
   * provider preset (SMTP.LimitPreset).
   */
  sendingLimitsOf(snapshot: TenantSettingsSnapshot): SendingLimits {
    return sendingLimitsOf(
      new Map(
        snapshot.settings
          .filter(s => s.encryptionKeyId === null)
          .map(s => [s.key, s.value]),
      ),
    );
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
   * The stored DKIM key with its domain and selector, whether or not the
   * tenant's own server is complete; only the key is decrypted.
   */
  dkimKeyOf(snapshot: TenantSettingsSnapshot): DkimSigningKey | undefined {
    const value = (key: string) => snapshot.settings.find(s => s.key === key);
    const domain = value(SMTP_KEYS.dkimDomain)?.value;
    const selector = value(SMTP_KEYS.dkimSelector)?.value;
    const stored = value(SMTP_KEYS.dkimPrivateKey);
    if (!domain || !selector || !stored || stored.encryptionKeyId === null) {
      return undefined;
    }
    const privateKey = this.cipher.decrypt(
      { keyId: stored.encryptionKeyId, ciphertext: stored.value },
      secretContext(snapshot.tenantId, stored.key),
    );
    return { domain, selector, privateKey };
  }

  /**
   * The server the tenant's settings would send through after `change` (the
   * form being edited, not yet saved): its own server, where a blank secret
   * means the stored one, but only while the keys it is bound to stay as
   * stored; or, while required keys are missing, the default mailbox.
   * Throws `InputError` for bad values, a secret that must be entered
   * again, and a server the policy refuses.
   */
  async previewServer(
    tenantId: string,
    change: SettingsChange,
    /** Learns the server asked for, once its syntax is known to be valid, before any other check (e.g. for the audit record of a refused test). */
    onRequested?: (server: { host: string; port: number }) => void,
  ): Promise<ServerPreview> {
    assertValidChange(change);
    const snapshot = await this.snapshot(tenantId);
    const host = valueAfter(change, snapshot.settings, SMTP_KEYS.server);
    const port = Number(valueAfter(change, snapshot.settings, SMTP_KEYS.port));
    if (host !== undefined && Number.isInteger(port)) {
      onRequested?.({ host, port });
    }
    // Before anything is decrypted: the stored password only goes to its own server.
    assertSecretsStayWithTheirServer(change, snapshot.settings);
    await this.checkServerPolicy(change, snapshot.settings);
    await this.checkTokenUrlPolicy(change);
    const values = this.decrypt(snapshot);
    for (const [key, value] of Object.entries(change)) {
      if (value === null) values.delete(key);
      else if (value !== '') values.set(key, value);
    }
    const server = toCustomServer(values, this.defaultSender);
    return server
      ? { server: 'custom', settings: server }
      : {
          server: 'default',
          missingKeys: statusOf(values, this.defaultSender).missingKeys,
        };
  }

  /** The save-time server policy check of the server and port the change leads to. */
  private async checkServerPolicy(
    change: SettingsChange,
    settings: StoredSetting[],
  ): Promise<void> {
    const host = valueAfter(change, settings, SMTP_KEYS.server);
    const portText = valueAfter(change, settings, SMTP_KEYS.port);
    const port = portText === undefined ? undefined : Number(portText);
    if (host !== undefined) {
      await this.serverPolicy.checkOnSave(host, port);
    } else if (port !== undefined) {
      this.serverPolicy.checkPort(port);
    }
  }

  /**
   * A token URL is where the tenant's refresh token and client secret are
   * sent: the same policy as servers applies, with https on port 443.
   */
  private async checkTokenUrlPolicy(change: SettingsChange): Promise<void> {
    const tokenUrl = change[SMTP_KEYS.oauthTokenUrl];
    if (typeof tokenUrl !== 'string' || tokenUrl === '') return;
    const url = new URL(tokenUrl);
    await this.serverPolicy.checkOnSave(
      url.hostname,
      Number(url.port || 443),
      TOKEN_URL_TARGET,
    );
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
    const status = statusOf(values, this.defaultSender);
    const missing = settings.flatMap(s =>
      s.encryptionKeyId === null || this.cipher.hasKey(s.encryptionKeyId)
        ? []
        : [{ key: s.key, keyId: s.encryptionKeyId }],
    );
    return missing.length > 0
      ? { ...status, secretsWithMissingKey: missing }
      : status;
  }

  /**
   * Stores a refresh token the provider rotated, in place of the stored one,
   * but only for the grant the settings hold: the same token URL, client id
   * and client secret, and a stored refresh token of the rotated line that
   * no save has replaced meanwhile. A connection test of values that are
   * not saved (another token URL or refresh token) changes nothing stored.
   * Returns whether it was stored.
   */
  async storeRotatedRefreshToken(
    rotation: RefreshTokenRotation,
  ): Promise<boolean> {
    const { tenantId, credentials } = rotation;
    const key = SMTP_KEYS.oauthRefreshToken;
    const snapshot = await this.snapshot(tenantId);
    const row = snapshot.settings.find(
      s => s.key === key && s.encryptionKeyId !== null,
    );
    const login = row && this.customServerOf(snapshot)?.auth;
    const saved = login?.kind === 'oauth2' ? login.oauth : undefined;
    if (
      !row ||
      saved?.provider !== 'refresh-token' ||
      saved.tokenUrl !== credentials.tokenUrl ||
      saved.clientId !== credentials.clientId ||
      saved.clientSecret !== credentials.clientSecret ||
      !rotation.replaces.includes(saved.refreshToken)
    ) {
      return false;
    }
    const encrypted = this.cipher.encrypt(
      rotation.refreshToken,
      secretContext(tenantId, key),
    );
    const stored = await this.store.replaceIfUnchanged(
      tenantId,
      row.value,
      { key, value: encrypted.ciphertext, encryptionKeyId: encrypted.keyId },
      'plugin:mailer',
    );
    if (stored) for (const listener of this.listeners) listener(tenantId);
    return stored;
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
