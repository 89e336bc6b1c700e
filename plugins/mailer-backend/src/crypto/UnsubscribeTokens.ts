import { createCipheriv, createDecipheriv } from 'node:crypto';
import { pooledRandomBytes } from './pooledRandomBytes';
import { SecretCipher } from './SecretCipher';

/** Who an unsubscribe link is for: all it needs, in the link itself. */
export interface UnsubscribeSubject {
  tenantId: string;
  /** The list the message was sent to. */
  listId: string;
  /** The recipient, as it was addressed. */
  address: string;
  /** The mailing it came with, to count its unsubscribes. */
  campaignId?: string;
}

/** HKDF info: keys for links are not the keys of stored secrets. */
const PURPOSE = 'elixeum-mailer unsubscribe-link v1';
const ALGORITHM = 'aes-256-gcm';
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Longer than any link we make: a 200-character tenant id and a 254-character address in UTF-8 fit. */
export const MAX_TOKEN_LENGTH = 2048;
const TOKEN = /^[A-Za-z0-9_-]+$/;

/**
 * Unsubscribe tokens: the subject (tenant, list, recipient, mailing)
 * encrypted and authenticated with AES-256-GCM under a key derived from the
 * primary encryption key. The token is opaque (nothing of the address shows
 * in a link, a log or a scanner's history), cannot be made or altered
 * without the key, and cannot be enumerated: there is no counter or id to
 * guess. Tokens made under an older key keep working while that key is
 * configured (see "Rotating the encryption key").
 */
export class UnsubscribeTokens {
  private constructor(private readonly keys: Buffer[]) {}

  static fromCipher(cipher: SecretCipher): UnsubscribeTokens {
    return new UnsubscribeTokens(cipher.derivedKeys(PURPOSE));
  }

  /** A token for `subject`, in base64url: a random IV makes each one different. */
  issue(subject: UnsubscribeSubject): string {
    const payload = Buffer.from(
      JSON.stringify([
        subject.tenantId,
        subject.listId,
        subject.address,
        ...(subject.campaignId === undefined ? [] : [subject.campaignId]),
      ]),
      'utf8',
    );
    const iv = pooledRandomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.keys[0], iv, {
      authTagLength: TAG_BYTES,
    });
    const version = Buffer.from([VERSION]);
    cipher.setAAD(version);
    const body = Buffer.concat([cipher.update(payload), cipher.final()]);
    return Buffer.concat([version, iv, body, cipher.getAuthTag()]).toString(
      'base64url',
    );
  }

  /**
   * The subject of a token this mailer made, or undefined for anything
   * else: garbage, a token altered by one bit, or one made under a key
   * that is no longer configured. Never throws.
   */
  read(token: string): UnsubscribeSubject | undefined {
    if (token.length > MAX_TOKEN_LENGTH || !TOKEN.test(token)) return undefined;
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length < 1 + IV_BYTES + TAG_BYTES + 1 || bytes[0] !== VERSION) {
      return undefined;
    }
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const body = bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    for (const key of this.keys) {
      const payload = open(key, iv, body, tag, bytes.subarray(0, 1));
      if (payload) return toSubject(payload);
    }
    return undefined;
  }
}

function open(
  key: Buffer,
  iv: Buffer,
  body: Buffer,
  tag: Buffer,
  aad: Buffer,
): Buffer | undefined {
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
}

function toSubject(payload: Buffer): UnsubscribeSubject | undefined {
  try {
    const [tenantId, listId, address, campaignId] = JSON.parse(
      payload.toString('utf8'),
    );
    const text = (value: unknown) => typeof value === 'string';
    if (!text(tenantId) || !text(listId) || !text(address)) return undefined;
    if (campaignId !== undefined && !text(campaignId)) return undefined;
    return { tenantId, listId, address, campaignId };
  } catch {
    return undefined;
  }
}
