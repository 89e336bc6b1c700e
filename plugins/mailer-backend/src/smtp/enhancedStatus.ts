// An SMTP reply: a three-digit code, a space or hyphen, then optionally an
// enhanced status code (RFC 3463) with the same class digit.
const REPLY_START = /^([245])\d\d[ -]([245]\.\d{1,3}\.\d{1,3})(?=\s|$)/;

/**
 * The enhanced status code of a reply (e.g. `5.7.139`), read from its
 * fixed place at the start of the first line, or undefined. Only there: a
 * code-like text later in the reply may be part of an address the reply
 * quotes.
 */
export function enhancedStatusOf(
  response: string | undefined,
): string | undefined {
  const match = REPLY_START.exec(response ?? '');
  if (!match || match[1] !== match[2][0]) return undefined;
  return match[2];
}
