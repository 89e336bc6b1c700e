import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { promisify } from 'node:util';

const generateRsaKeyPair = promisify(generateKeyPair);

/** Receivers refuse shorter RSA keys (RFC 8301). */
export const MIN_DKIM_KEY_BITS = 1024;
/** What the portal generates: what Gmail and Microsoft recommend. */
export const GENERATED_DKIM_KEY_BITS = 2048;

/** A key that cannot sign: why, in words that never quote the key. */
export class DkimKeyError extends Error {
  /** Read as a failure to sign wherever failures are explained. */
  readonly code = 'EDKIM';
  constructor(
    /** What is wrong, after the key's name: e.g. "must be an RSA key, not ec". */
    readonly problem: string,
  ) {
    super(`SMTP.DKIM.PrivateKey ${problem}`);
    this.name = 'DkimKeyError';
  }
}

/**
 * The DKIM private key in `pem`, checked for what signing needs: it
 * parses, is RSA (nodemailer signs rsa-sha256 only, and an EC key would
 * make a signature that no receiver verifies), is at least 1024 bits, and
 * signs something its public half verifies. Throws `DkimKeyError`.
 */
export function checkDkimKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    // The parser's own message could quote the key: say nothing more.
    throw new DkimKeyError('is not a private key that can be read');
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new DkimKeyError(
      `must be an RSA key, not ${key.asymmetricKeyType ?? 'this kind'}`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_DKIM_KEY_BITS) {
    throw new DkimKeyError(
      `has ${bits} bits; receivers refuse RSA keys shorter than ${MIN_DKIM_KEY_BITS} bits`,
    );
  }
  const probe = Buffer.from('dkim key check');
  let signature: Buffer;
  try {
    signature = sign('sha256', probe, key);
  } catch {
    throw new DkimKeyError('cannot sign');
  }
  if (!verify('sha256', probe, createPublicKey(key), signature)) {
    throw new DkimKeyError(
      'makes signatures its own public key does not verify',
    );
  }
  return key;
}

/**
 * A new 2048-bit RSA key pair: the private key in PKCS#8 PEM to store, and
 * its public half. Made off the event loop (it takes a moment).
 */
export async function generateDkimKey(): Promise<{
  privateKey: string;
  publicKey: KeyObject;
}> {
  const { privateKey, publicKey } = await generateRsaKeyPair('rsa', {
    modulusLength: GENERATED_DKIM_KEY_BITS,
  });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey,
  };
}

/**
 * A TXT record's value as DNS holds it: character strings of at most 255
 * bytes each (RFC 1035), which receivers join again. A 2048-bit key's
 * record is longer than one string.
 */
export function txtCharacterStrings(value: string): string[] {
  const strings: string[] = [];
  for (let at = 0; at < value.length; at += 255) {
    strings.push(value.slice(at, at + 255));
  }
  return strings;
}
