/** The most characters of a server's text that are kept. */
export const MAX_SERVER_TEXT = 2000;

// ANSI/VT escape sequences (CSI … final byte, OSC … BEL/ST, and two-byte ESC x).
const ESCAPE_SEQUENCES =
  // eslint-disable-next-line no-control-regex
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]/g;
// C0 controls (line breaks included), DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x1f\x7f-\x9f]+/g;
// A surrogate without its partner cannot be encoded as UTF-8.
const LONE_SURROGATES =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Characters outside the Basic Multilingual Plane: MySQL's utf8mb3 columns refuse them.
const ASTRAL = /[\ud800-\udbff][\udc00-\udfff]/g;
// Unicode "non-characters" and the byte-order mark: no meaning in a reply.
const NON_CHARACTERS = /[\ufeff\ufffe\uffff]/g;

/**
 * What a server (or anything else outside our control) said, made safe to
 * store in any engine's text column and to show: escape sequences and control
 * characters (NUL included) become a space, characters no engine's column
 * takes become U+FFFD, runs of blanks collapse, and the text is capped. A
 * server that answers with garbage must never be able to break the writing
 * of an outcome, nor a log line or a page that shows it.
 */
export function cleanServerText(
  text: string,
  maxLength = MAX_SERVER_TEXT,
): string {
  // Cap first (with room for what is removed), so a 1 MB reply costs little.
  const cleaned = text
    .slice(0, maxLength * 4)
    .replace(ESCAPE_SEQUENCES, ' ')
    .replace(CONTROLS, ' ')
    .replace(LONE_SURROGATES, '\ufffd')
    .replace(ASTRAL, '\ufffd')
    .replace(NON_CHARACTERS, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  return cleaned.length > maxLength
    ? `${cleaned.slice(0, maxLength - 1)}…`
    : cleaned;
}
