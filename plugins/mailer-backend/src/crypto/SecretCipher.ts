import { Config } from '@backstage/config';
import {
  createCipheriv,
  createDecipheriv,
  hkdfSync,
  randomBytes,
} from 'node:crypto';

/** A secret as stored: the ciphertext and the id of the key that made it. */
export interface EncryptedSecret {
  keyId: string;
  ciphertext: string;
}

const ALGORITHM = 'aes-256-gcm';
const FORMAT_VERSION = 'v1';
const IV_BYTES = 12;
const KEY_BYTES = 32;
// A full-length tag; Node would otherwise accept a truncated one.
const TAG_BYTES = 16;

/** Shown whenever the key configuration is missing or wrong. */
export const HOW_TO_MAKE_A_KEY =
  "Generate a key with `node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"` " +
  'and configure it as mailer.encryption.keys: [{ id: "1", secret: ${MAILER_ENCRYPTION_KEY} }], ' +
  'passing the key in the MAILER_ENCRYPTION_KEY environment variable.';

/**
 * The key's bytes, or undefined unless `secret` is canonical base64 of
 * exactly 32 bytes. Node's decoder skips characters that are not base64, so
 * a mangled value (quotes, a line break, base64url) would otherwise decode
 * to some other key.
 */
function decodeKey(secret: unknown): Buffer | undefined {
  if (typeof secret !== 'string') return undefined;
  const key = Buffer.from(secret, 'base64');
  return key.length === KEY_BYTES && key.toString('base64') === secret
    ? key
    : undefined;
}

/**
 * Encrypts secret settings with AES-256-GCM. Each value gets a random IV and
 * is bound to its context (tenant and key), so a ciphertext copied to another
 * row does not decrypt. The first configured key encrypts; all keys decrypt,
 * which is what key rotation needs.
 */
export class SecretCipher {
  static fromConfig(config: Config): SecretCipher {
    const entries =
      config.getOptionalConfigArray('mailer.encryption.keys') ?? [];
    if (entries.length === 0) {
      throw new Error(
        `The mailer needs an encryption key for the SMTP passwords it stores, and mailer.encryption.keys is not set. ${HOW_TO_MAKE_A_KEY}`,
      );
    }
    const seen = new Set<string>();
    const keys = entries.map((entry, index) => {
      const id = entry.getOptional('id');
      const where = `mailer.encryption.keys[${index}]`;
      if (typeof id !== 'string' || id.trim() === '') {
        throw new Error(`${where} needs an id, e.g. "2026-11"`);
      }
      if (seen.has(id)) {
        // Otherwise a later entry would silently replace the one that encrypts.
        throw new Error(
          `${where} (id "${id}") repeats the id of an earlier key; every key needs its own id`,
        );
      }
      seen.add(id);
      const key = decodeKey(entry.getOptional('secret'));
      if (!key) {
        throw new Error(
          `${where} (id "${id}") must have a secret of exactly ${KEY_BYTES} bytes in base64. ${HOW_TO_MAKE_A_KEY}`,
        );
      }
      return [id, key] as const;
    });
    return new SecretCipher(keys[0][0], new Map(keys));
  }

  private constructor(
    private readonly currentKeyId: string,
    private readonly keys: ReadonlyMap<string, Buffer>,
  ) {}

  /** The id of the key that encrypts new values: the first configured. */
  get primaryKeyId(): string {
    return this.currentKeyId;
  }

  /** The ids of every configured key, the primary first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** Whether a value encrypted with `keyId` can be read. */
  hasKey(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  /**
   * A key for another purpose from each configured key (HKDF-SHA256 with
   * `purpose` as its info), the primary's first: what one purpose makes
   * says nothing about another's, or about the stored secrets, and it
   * rotates with the encryption keys.
   */
  derivedKeys(purpose: string): Buffer[] {
    return this.keyIds.map(id =>
      Buffer.from(
        hkdfSync('sha256', this.keys.get(id)!, '', purpose, KEY_BYTES),
      ),
    );
  }

  encrypt(plaintext: string, context: string): EncryptedSecret {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(
      ALGORITHM,
      this.keys.get(this.currentKeyId)!,
      iv,
    );
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
    ]);
    const parts = [iv, cipher.getAuthTag(), body].map(b =>
      b.toString('base64'),
    );
    return {
      keyId: this.currentKeyId,
      ciphertext: [FORMAT_VERSION, ...parts].join('.'),
    };
  }

  /** Throws, without any part of the secret in the message, when the value cannot be read. */
  decrypt(secret: EncryptedSecret, context: string): string {
    const key = this.keys.get(secret.keyId);
    if (!key) {
      throw new Error(
        `A stored secret was encrypted with key "${secret.keyId}", which is not in mailer.encryption.keys: ask your portal operator to add that key back, or enter the secret again`,
      );
    }
    const [version, iv, tag, body] = secret.ciphertext.split('.');
    if (version !== FORMAT_VERSION || body === undefined) {
      throw new Error(
        'A stored secret is not in a format this mailer can read',
      );
    }
    try {
      const decipher = createDecipheriv(
        ALGORITHM,
        key,
        Buffer.from(iv, 'base64'),
        {
          authTagLength: TAG_BYTES,
        },
      );
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([
        decipher.update(Buffer.from(body, 'base64')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new Error(
        `A stored secret failed its integrity check with key "${secret.keyId}": the key is wrong or the value was altered`,
      );
    }
  }
}
