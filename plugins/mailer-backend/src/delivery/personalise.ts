import { PLACEHOLDER_NAME_PATTERN } from '@elixeum/plugin-mailer-common';

/** A `{{name}}` field of a bulk mailing's template. */
export const FIELD = new RegExp(
  `\\{\\{\\s*(${PLACEHOLDER_NAME_PATTERN})\\s*\\}\\}`,
  'g',
);

/**
 * The longest text (subject, text or HTML) personalisation may produce, in
 * characters: what the routes accept as a whole message. A template full of
 * fields times 10 kB values could otherwise grow into gigabytes.
 */
export const MAX_PERSONALISED_LENGTH = 25 * 1024 * 1024;

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

/** Thrown when a personalised text would pass `MAX_PERSONALISED_LENGTH`. */
export class PersonalisedTooLargeError extends Error {
  name = 'PersonalisedTooLargeError';
  constructor() {
    super(
      `the personalised message would be longer than ${MAX_PERSONALISED_LENGTH} characters`,
    );
  }
}

/**
 * Fills `{{name}}` fields of a bulk mailing from one recipient's
 * `variables`. Without variables (transactional mail) the text is left
 * exactly as written, so `{{ .Values.image }}` in a message stays. A field
 * the recipient has no value for is left as written too, and only the
 * recipient's own values count: `{{constructor}}` is not a value. Values are
 * HTML-escaped when `html` is true. Stops, rather than grow without bound,
 * at `MAX_PERSONALISED_LENGTH`.
 */
export function personalise(
  template: string,
  variables: Record<string, string> | undefined,
  html = false,
): string {
  if (!variables) return template;
  let length = template.length;
  return template.replace(FIELD, (field, name: string) => {
    const value = valueOf(variables, name);
    if (value === undefined) return field;
    const filled = html ? escapeHtml(value) : value;
    length += filled.length - field.length;
    if (length > MAX_PERSONALISED_LENGTH) throw new PersonalisedTooLargeError();
    return filled;
  });
}
