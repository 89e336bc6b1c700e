const FIELD = /\{\{\s*([\w.-]+)\s*\}\}/g;

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
 * Fills `{{name}}` fields from `variables`; a field without a value becomes
 * empty. Values are HTML-escaped when `html` is true.
 */
export function personalise(
  template: string,
  variables: Record<string, string> | undefined,
  html = false,
): string {
  if (!variables && !template.includes('{{')) return template;
  return template.replace(FIELD, (_match, name: string) => {
    const value = variables?.[name] ?? '';
    return html ? escapeHtml(value) : value;
  });
}
