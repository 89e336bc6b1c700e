import { PLACEHOLDER_NAME_PATTERN } from '@elixeum/plugin-mailer-common';

const FIELD = new RegExp(
  `\\{\\{\\s*(${PLACEHOLDER_NAME_PATTERN})\\s*\\}\\}`,
  'g',
);

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

/**
 * Fills `{{name}}` fields of a bulk mailing from one recipient's
 * `variables`. Without variables (transactional mail) the text is left
 * exactly as written, so `{{ .Values.image }}` in a message stays. A field
 * the recipient has no value for is left as written too, and only the
 * recipient's own values count: `{{constructor}}` is not a value. Values are
 * HTML-escaped when `html` is true.
 */
export function personalise(
  template: string,
  variables: Record<string, string> | undefined,
  html = false,
): string {
  if (!variables) return template;
  return template.replace(FIELD, (field, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(variables, name)) return field;
    const value = variables[name];
    if (typeof value !== 'string') return field;
    return html ? escapeHtml(value) : value;
  });
}
