import DKIM from 'nodemailer/lib/dkim';
import type { KeyObject } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DkimSigningKey } from '../smtp/SmtpServerSettings';
import { checkDkimKey } from './dkimKey';

/**
 * The header fields a signature covers when a message has them: nodemailer's
 * default list (RFC 6376 §5.4's) with `List-Unsubscribe-Post` added, which
 * Gmail and Yahoo require to be signed with `List-Unsubscribe` (RFC 8058 §4).
 */
export const SIGNED_HEADER_FIELDS = [
  'From',
  'Sender',
  'Reply-To',
  'Subject',
  'Date',
  'Message-ID',
  'To',
  'Cc',
  'MIME-Version',
  'Content-Type',
  'Content-Transfer-Encoding',
  'Content-ID',
  'Content-Description',
  'Resent-Date',
  'Resent-From',
  'Resent-Sender',
  'Resent-To',
  'Resent-Cc',
  'Resent-Message-ID',
  'In-Reply-To',
  'References',
  'List-Id',
  'List-Help',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
  'List-Subscribe',
  'List-Post',
  'List-Owner',
  'List-Archive',
].join(':');

const SIGNATURE_START = Buffer.from('DKIM-Signature:');

/** The message could not be signed; it is not sent. */
export class DkimSigningError extends Error {
  readonly code = 'EDKIM';
  constructor(message: string) {
    super(message);
    this.name = 'DkimSigningError';
  }
}

function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/**
 * Signs messages with a tenant's DKIM key through nodemailer's signer
 * (relaxed/relaxed, rsa-sha256). The key is checked when the signer is
 * made, so settings whose key cannot sign fail before anything is sent;
 * and since nodemailer sends a message unsigned, without a word, when its
 * signing fails, every signed message is checked to start with its
 * signature, and one that does not is refused instead of sent.
 */
export class DkimSigner {
  private readonly dkim: DKIM;

  /**
   * Throws `DkimKeyError` for a key that cannot sign. `privateKey` is the
   * key as checked (by default, `key.privateKey` is checked here).
   */
  constructor(
    readonly key: DkimSigningKey,
    privateKey: KeyObject = checkDkimKey(key.privateKey),
  ) {
    this.dkim = new DKIM({
      domainName: key.domain,
      keySelector: key.selector,
      privateKey,
      headerFieldNames: SIGNED_HEADER_FIELDS,
    });
  }

  /** The message with its DKIM-Signature header first; rejects with `DkimSigningError`. */
  async sign(message: Readable | Buffer | string): Promise<Buffer> {
    const signed = await collect(this.dkim.sign(message));
    if (!signed.subarray(0, SIGNATURE_START.length).equals(SIGNATURE_START)) {
      throw new DkimSigningError(
        `The DKIM key of ${this.key.domain} (selector ${this.key.selector}) did not sign the message, so it was not sent`,
      );
    }
    return signed;
  }
}
