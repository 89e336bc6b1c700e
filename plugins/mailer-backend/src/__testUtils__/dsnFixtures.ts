import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The delivery status notifications of src/bounces/__fixtures__. */
export type DsnFixture = 'postfix' | 'exchange-online' | 'gmail';

/**
 * A report as Postfix, Exchange Online or Gmail write it (fixtures written
 * from their documented formats), about a message to `recipient` sent with
 * `messageId`, with the CRLF line ends of mail.
 */
export function dsnFixture(
  name: DsnFixture,
  recipient: string,
  messageId: string,
): string {
  return readFileSync(
    join(__dirname, '..', 'bounces', '__fixtures__', `${name}.eml`),
    'utf8',
  )
    .replace(/\r?\n/g, '\r\n')
    .replace(/{{RECIPIENT}}/g, recipient)
    .replace(/{{MESSAGE_ID}}/g, messageId);
}
