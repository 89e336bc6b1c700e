import { findMailAddressProblem } from './mailMessage';
import { UNSUBSCRIBE_URL_FIELD } from './suppression';

/**
 * The most `{{field}}` values one recipient of a mailing may carry.
 *
 * @public
 */
export const MAX_VARIABLES_PER_RECIPIENT = 50;
/**
 * The longest value of one field, in UTF-8 bytes (10 kB).
 *
 * @public
 */
export const MAX_VARIABLE_VALUE_BYTES = 10 * 1024;
/**
 * The syntax of a field name, as written between `{{` and `}}` in a template.
 *
 * @public
 */
export const PLACEHOLDER_NAME_PATTERN = '[A-Za-z0-9_.-]{1,64}';

const PLACEHOLDER_NAME = new RegExp(`^${PLACEHOLDER_NAME_PATTERN}$`);
// Line breaks and tabs are fine in a value (an address block); other control characters are not.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const RECIPIENT_FIELDS = new Set(['to', 'variables']);

function utf8Length(value: string): number {
  return new TextEncoder().encode(value).length;
}

function variablesProblems(field: string, variables: unknown): string[] {
  if (
    typeof variables !== 'object' ||
    variables === null ||
    Array.isArray(variables)
  ) {
    return [`${field} must be an object of text values`];
  }
  const entries = Object.entries(variables);
  if (entries.length > MAX_VARIABLES_PER_RECIPIENT) {
    return [`${field} may have at most ${MAX_VARIABLES_PER_RECIPIENT} fields`];
  }
  const problems: string[] = [];
  for (const [name, value] of entries) {
    if (!PLACEHOLDER_NAME.test(name)) {
      problems.push(
        `${field} has a field name that is not 1 to 64 letters, digits, "_", "." or "-"`,
      );
    } else if (name === UNSUBSCRIBE_URL_FIELD) {
      problems.push(
        `${field}.${name} is filled in by the mailer with the recipient's own unsubscribe link`,
      );
    } else if (typeof value !== 'string') {
      problems.push(`${field}.${name} must be text`);
    } else if (utf8Length(value) > MAX_VARIABLE_VALUE_BYTES) {
      problems.push(
        `${field}.${name} must be at most ${MAX_VARIABLE_VALUE_BYTES} bytes`,
      );
    } else if (CONTROL_CHARACTER.test(value)) {
      problems.push(`${field}.${name} must not contain control characters`);
    }
  }
  return problems;
}

/**
 * Every problem with one recipient of a bulk mailing: its address by the
 * same rules as `send()` (display name, line breaks, lengths), and its
 * `variables`: at most 50 text values, named as template fields are.
 *
 * @public
 */
export function findBulkRecipientProblems(
  recipient: unknown,
  field = 'recipient',
): string[] {
  if (
    typeof recipient !== 'object' ||
    recipient === null ||
    Array.isArray(recipient)
  ) {
    return [`${field} must be an object with "to"`];
  }
  const r = recipient as Record<string, unknown>;
  const problems: string[] = [];
  const unknown = Object.keys(r).filter(key => !RECIPIENT_FIELDS.has(key));
  if (unknown.length > 0) {
    problems.push(`${field} has unknown fields: ${unknown.join(', ')}`);
  }
  const addressProblem = findMailAddressProblem(`${field}.to`, r.to);
  if (addressProblem) problems.push(addressProblem);
  if (r.variables !== undefined) {
    problems.push(...variablesProblems(`${field}.variables`, r.variables));
  }
  return problems;
}
