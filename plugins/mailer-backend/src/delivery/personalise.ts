import { PLACEHOLDER_NAME_PATTERN } from '@elixeum/plugin-mailer-common';

/** A `{{name}}` field of a bulk mailing's template. */
export const FIELD = new RegExp(
  `\\{\\{\\s*(${PLACEHOLDER_NAME_PATTERN})\\s*\\}\\}`,
  'g',
);

/**
 * The largest personalised message, in bytes: subject, text and HTML in
 * UTF-8 plus the attachments in base64, what the routes accept as a whole
 * message (25 MB). A template full of fields times 10 kB values could
 * otherwise grow into gigabytes.
 */
export const MAX_PERSONALISED_BYTES = 25 * 1024 * 1024;

/** A stored attachment's size once encoded in base64, as it travels. */
export function encodedAttachmentBytes(
  attachments: ReadonlyArray<{ content: unknown; encoding?: string }> = [],
): number {
  let bytes = 0;
  for (const { content, encoding } of attachments) {
    if (typeof content !== 'string') continue;
    bytes +=
      encoding === 'base64'
        ? content.length
        : Math.ceil(Buffer.byteLength(content) / 3) * 4;
  }
  return bytes;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML, so a recipient's name cannot inject markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => HTML_ESCAPES[c]);
}

/** The recipient's own text value for a field, if it has one. */
export function valueOf(
  variables: Record<string, string>,
  name: string,
): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(variables, name)) return undefined;
  const value = variables[name];
  return typeof value === 'string' ? value : undefined;
}

/** Thrown when a personalised message would pass `MAX_PERSONALISED_BYTES`. */
export class PersonalisedTooLargeError extends Error {
  name = 'PersonalisedTooLargeError';
  constructor() {
    super(
      `the personalised message would be larger than ${MAX_PERSONALISED_BYTES} bytes (25 MB)`,
    );
  }
}

/**
 * Throws `PersonalisedTooLargeError` when a personalised message, its
 * texts in UTF-8 and its attachments in base64, passes `MAX_PERSONALISED_BYTES`.
 */
export function assertPersonalisedSize(
  texts: Array<string | undefined>,
  attachmentBytes: number,
): void {
  let bytes = attachmentBytes;
  for (const text of texts) bytes += text ? Buffer.byteLength(text) : 0;
  if (bytes > MAX_PERSONALISED_BYTES) throw new PersonalisedTooLargeError();
}

/**
 * Fills `{{name}}` fields of a bulk mailing from one recipient's
 * `variables`. Without variables (transactional mail) the text is left
 * exactly as written, so `{{ .Values.image }}` in a message stays. A field
 * the recipient has no value for is left as written too, and only the
 * recipient's own values count: `{{constructor}}` is not a value. Values are
 * HTML-escaped when `html` is true. Stops, rather than grow without bound,
 * when the text alone passes `MAX_PERSONALISED_BYTES` in UTF-8; the whole
 * message is checked with `assertPersonalisedSize`.
 */
export function personalise(
  template: string,
  variables: Record<string, string> | undefined,
  html = false,
): string {
  if (!variables) return template;
  let bytes = Buffer.byteLength(template);
  return template.replace(FIELD, (field, name: string) => {
    const value = valueOf(variables, name);
    if (value === undefined) return field;
    const filled = html ? escapeHtml(value) : value;
    bytes += Buffer.byteLength(filled) - Buffer.byteLength(field);
    if (bytes > MAX_PERSONALISED_BYTES) throw new PersonalisedTooLargeError();
    return filled;
  });
}
