import { InputError } from '@backstage/errors';
import {
  customSenderOf,
  DkimKeyRecord,
  DkimKeyRequest,
  DkimKeyResponse,
  findSettingKey,
  SMTP_KEYS,
  validateSettingValue,
} from '@elixeum/plugin-mailer-common';
import { createPublicKey, KeyObject } from 'node:crypto';
import { generateDkimKey, txtCharacterStrings } from '../dkim/dkimKey';
import { dkimRecordOf } from '../senderCheck/checkDkim';
import { TenantSettingsService } from './TenantSettingsService';

/** The record to publish for a key: name, value, and the value in DNS's 255-character strings. */
export function dkimKeyRecord(
  domain: string,
  selector: string,
  publicKey: KeyObject,
): DkimKeyRecord {
  const value = dkimRecordOf(publicKey);
  return {
    domain,
    selector,
    name: `${selector}._domainkey.${domain}`,
    value,
    strings: txtCharacterStrings(value),
    bits: publicKey.asymmetricKeyDetails?.modulusLength ?? 0,
  };
}

/** A selector for a new key that the stored key does not use: `portal-<yyyymmdd>`, numbered if needed. */
function freshSelector(stored: string | undefined, now: Date): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  const base = `portal-${day}`;
  let selector = base;
  for (let n = 2; selector === stored; n += 1) selector = `${base}-${n}`;
  return selector;
}

function checkedValue(key: string, value: string): string {
  const problem = validateSettingValue(findSettingKey(key)!, value);
  if (problem) throw new InputError(`Invalid settings: ${key} ${problem}`);
  return value;
}

/**
 * The tenant's DKIM key as the card handles it: the record of the stored
 * key, and a new key made in the backend and stored like any secret
 * setting (encrypted, in the settings history, never returned).
 */
export class DkimKeys {
  constructor(
    private readonly settings: TenantSettingsService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The stored key's record; none while the portal does not sign. */
  async current(tenantId: string): Promise<DkimKeyResponse> {
    const stored = this.settings.dkimKeyOf(
      await this.settings.snapshot(tenantId),
    );
    if (!stored) return {};
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey(stored.privateKey);
    } catch {
      // Shown as missing; delivery pauses with the reason.
      return {};
    }
    return {
      key: dkimKeyRecord(stored.domain, stored.selector, publicKey),
    };
  }

  /**
   * Makes a 2048-bit key and stores it with its domain and selector in one
   * change. Throws `InputError` for a bad domain or selector, or when no
   * domain is given, stored or known from the sender address.
   */
  async generate(
    tenantId: string,
    request: DkimKeyRequest,
    actor?: string,
  ): Promise<DkimKeyResponse> {
    const snapshot = await this.settings.snapshot(tenantId);
    const values = new Map(
      snapshot.settings
        .filter(s => s.encryptionKeyId === null)
        .map(s => [s.key, s.value]),
    );
    const sender = customSenderOf(values);
    const domain =
      request.domain ??
      values.get(SMTP_KEYS.dkimDomain) ??
      sender?.slice(sender.lastIndexOf('@') + 1);
    if (!domain) {
      throw new InputError(
        'Say which domain the key signs for: set SMTP.DKIM.Domain or the sender address first',
      );
    }
    const selector =
      request.selector ??
      freshSelector(values.get(SMTP_KEYS.dkimSelector), this.now());
    checkedValue(SMTP_KEYS.dkimDomain, domain);
    checkedValue(SMTP_KEYS.dkimSelector, selector);
    const { privateKey, publicKey } = await generateDkimKey();
    await this.settings.updateSettings(
      tenantId,
      {
        [SMTP_KEYS.dkimDomain]: domain,
        [SMTP_KEYS.dkimSelector]: selector,
        [SMTP_KEYS.dkimPrivateKey]: privateKey,
      },
      actor,
    );
    return { key: dkimKeyRecord(domain, selector, publicKey) };
  }
}
