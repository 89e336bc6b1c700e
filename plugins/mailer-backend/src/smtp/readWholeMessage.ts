import { Readable } from 'node:stream';
import { SmtpAttemptError } from '../transport/SmtpAttemptError';

/**
 * Messages up to this size are read whole before they are sent; larger ones
 * are streamed, so that many connections sending large attachments at once
 * do not each hold a whole copy in memory.
 */
export const WHOLE_MESSAGE_BYTES = 1024 * 1024;

/**
 * The message as one buffer when it is small, read before a connection is
 * taken. Streamed, nodemailer writes it to the socket chunk by chunk (a TLS
 * record and a system call for every few header lines), which cost more
 * CPU than the rest of the delivery; whole, it goes out in a few large
 * writes. A message over `WHOLE_MESSAGE_BYTES` is given back as a stream
 * of what was read and the rest: there the writes are large anyway.
 *
 * A message that cannot be read fails its transaction, as it did when
 * nodemailer read it (`ESTREAM`).
 */
export async function readWholeMessage(
  message: Readable | Buffer | string,
): Promise<Readable | Buffer | string> {
  if (typeof message === 'string' || Buffer.isBuffer(message)) return message;
  const chunks: Buffer[] = [];
  let bytes = 0;
  const parts = message[Symbol.asyncIterator]();
  try {
    while (bytes <= WHOLE_MESSAGE_BYTES) {
      const part = await parts.next();
      if (part.done) return Buffer.concat(chunks);
      const chunk = Buffer.isBuffer(part.value)
        ? part.value
        : Buffer.from(part.value);
      chunks.push(chunk);
      bytes += chunk.length;
    }
  } catch (error) {
    throw new SmtpAttemptError(
      'transaction',
      Object.assign(error as Error, { code: 'ESTREAM', command: 'API' }),
    );
  }
  return Readable.from(
    (async function* rest() {
      yield* chunks;
      for (;;) {
        const part = await parts.next();
        if (part.done) return;
        yield part.value;
      }
    })(),
  );
}
