import type { SmtpReply } from './MailDeliveryError';

const CODE_PREFIX = /^(\d{3})(?:[ -]|$)/;
const ENHANCED_CODE = /^\d\.\d{1,3}\.\d{1,3}(?:\s|$)/;

/**
 * A server's reply as a person reads it, with its code once:
 * "535 5.7.3 Authentication unsuccessful". The reply text already starts
 * with the code, and a multi-line reply repeats it on every line
 * (`535-5.7.8 Username and Password not accepted.\n535 5.7.8 https://…`),
 * so putting `responseCode` in front would say it twice. nodemailer's own
 * codes (EAUTH, ETLS) are left out: they mean nothing to a reader.
 *
 * @public
 */
export function smtpReplyText(
  reply: Pick<SmtpReply, 'responseCode' | 'response'> | undefined,
): string {
  const lines = (reply?.response ?? '')
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line !== '');
  const code =
    reply?.responseCode ?? Number(lines[0]?.match(CODE_PREFIX)?.[1] ?? NaN);
  let firstEnhanced: string | undefined;
  const words = lines.map((line, index) => {
    const text = line.replace(CODE_PREFIX, '').trim();
    const enhanced = text.match(ENHANCED_CODE)?.[0].trim();
    if (index === 0) {
      firstEnhanced = enhanced;
      return text;
    }
    // Continuation lines repeat the enhanced status code too.
    return enhanced && enhanced === firstEnhanced
      ? text.slice(enhanced.length).trim()
      : text;
  });
  return [Number.isNaN(code) ? undefined : code, ...words]
    .filter(part => part !== undefined && part !== '')
    .join(' ');
}
