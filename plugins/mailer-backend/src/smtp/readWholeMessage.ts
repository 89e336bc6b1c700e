import type { Readable } from 'node:stream';
import { SmtpAttemptError } from '../transport/SmtpAttemptError';

/**
 * The message as one buffer, read before a connection is taken. Streamed,
 * nodemailer writes it to the socket chunk by chunk (a TLS record and a
 * system call for every few header lines), which cost more CPU than the
 * rest of the delivery; whole, it goes out in a few large writes. Messages
 * are at most 25 MB, already held in memory as their parts.
 *
 * A message that cannot be read fails its transaction, as it did when
 * nodemailer read it (`ESTREAM`).
 */
export async function readWholeMessage(
  message: Readable | Buffer | string,
): Promise<Buffer | string> {
  if (typeof message === 'string' || Buffer.isBuffer(message)) return message;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of message) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    }
    return Buffer.concat(chunks);
  } catch (error) {
    throw new SmtpAttemptError(
      'transaction',
      Object.assign(error as Error, { code: 'ESTREAM', command: 'API' }),
    );
  }
}
