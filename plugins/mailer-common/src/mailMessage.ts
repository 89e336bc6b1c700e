import {
  hasControlCharacter,
  hasLineBreak,
  isEmailAddress,
} from './addressSyntax';

/**
 * A mail address: `someone@example.com`, or an address with a display name.
 *
 * @public
 */
export type MailAddress = string | { name?: string; address: string };

/**
 * A file sent with a message. Only content is accepted: a file path or URL
 * would let a plugin mail out files from the server, so those are refused.
 *
 * @public
 */
export interface MailAttachment {
  filename: string;
  /** The file's bytes, or text. Strings are read as UTF-8 unless `encoding` is `base64`. */
  content: string | Uint8Array;
  encoding?: 'base64' | 'utf8';
  contentType?: string;
}

/**
 * A message to send. At least one of `text` and `html` is required.
 *
 * @public
 */
export interface MailMessage {
  to: MailAddress | MailAddress[];
  cc?: MailAddress | MailAddress[];
  bcc?: MailAddress | MailAddress[];
  replyTo?: MailAddress;
  subject: string;
  text?: string;
  html?: string;
  attachments?: MailAttachment[];
}

/**
 * The most recipients (to, cc and bcc together) one message may have.
 *
 * @public
 */
export const MAX_RECIPIENTS_PER_MESSAGE = 100;

/**
 * The most messages one request of `sendMany` (`POST /messages/batch`) may
 * queue; `sendMany` splits longer lists into several requests.
 *
 * @public
 */
export const MAX_MESSAGES_PER_BATCH = 500;
/**
 * RFC 5322 caps a header line at 998 characters.
 *
 * @public
 */
export const MAX_SUBJECT_LENGTH = 998;
const MAX_DISPLAY_NAME_LENGTH = 200;
const MESSAGE_FIELDS = new Set([
  'to',
  'cc',
  'bcc',
  'replyTo',
  'subject',
  'text',
  'html',
  'attachments',
]);
const ATTACHMENT_FIELDS = new Set([
  'filename',
  'content',
  'encoding',
  'contentType',
]);

/** A header value: one line, no control characters. */
function isHeaderText(value: string): boolean {
  return !hasLineBreak(value) && !hasControlCharacter(value);
}

/**
 * Whether `subject` can be a message's Subject header: one line without
 * control characters, of at most 998 characters (RFC 5322).
 *
 * @public
 */
export function isSubjectLine(subject: string): boolean {
  return isHeaderText(subject) && subject.length <= MAX_SUBJECT_LENGTH;
}

function unknownFields(
  value: Record<string, unknown>,
  known: ReadonlySet<string>,
): string[] {
  return Object.keys(value).filter(key => !known.has(key));
}

/**
 * The plain address of a `MailAddress`, without its display name.
 *
 * @public
 */
export function addressOf(address: MailAddress): string {
  return typeof address === 'string' ? address : address.address;
}

/**
 * A list of `MailAddress` or one address, as a list.
 *
 * @public
 */
export function toAddressList(
  value: MailAddress | MailAddress[] | undefined,
): MailAddress[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * What is wrong with one recipient, or undefined: a plain address, or
 * `{ name, address }` with a single-line display name of sensible length.
 *
 * @public
 */
export function findMailAddressProblem(
  field: string,
  value: unknown,
): string | undefined {
  if (typeof value === 'string') {
    return isEmailAddress(value)
      ? undefined
      : `${field} has an invalid address`;
  }
  if (typeof value !== 'object' || value === null) {
    return `${field} must be an address or { name, address }`;
  }
  const { name, address, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) {
    return `${field} may only have a name and an address`;
  }
  if (typeof address !== 'string' || !isEmailAddress(address)) {
    return `${field} has an invalid address`;
  }
  if (name !== undefined) {
    if (
      typeof name !== 'string' ||
      !isHeaderText(name) ||
      name.length > MAX_DISPLAY_NAME_LENGTH
    ) {
      return `${field} has an invalid display name`;
    }
  }
  return undefined;
}

function attachmentProblem(index: number, value: unknown): string | undefined {
  const field = `attachments[${index}]`;
  if (typeof value !== 'object' || value === null)
    return `${field} must be an object`;
  const attachment = value as Record<string, unknown>;
  if ('path' in attachment || 'href' in attachment) {
    return `${field} must carry its content; file paths and URLs are not allowed`;
  }
  const unknown = unknownFields(attachment, ATTACHMENT_FIELDS);
  if (unknown.length > 0) {
    return `${field} has unknown fields: ${unknown.join(', ')}`;
  }
  const { filename, content, encoding, contentType } = attachment;
  if (
    typeof filename !== 'string' ||
    filename.length === 0 ||
    filename.length > MAX_SUBJECT_LENGTH ||
    !isHeaderText(filename)
  ) {
    return `${field}.filename must be a single-line name`;
  }
  if (typeof content !== 'string' && !(content instanceof Uint8Array)) {
    return `${field}.content must be a string or bytes`;
  }
  if (encoding !== undefined && encoding !== 'base64' && encoding !== 'utf8') {
    return `${field}.encoding must be base64 or utf8`;
  }
  if (
    contentType !== undefined &&
    (typeof contentType !== 'string' ||
      contentType.length > MAX_DISPLAY_NAME_LENGTH ||
      !isHeaderText(contentType))
  ) {
    return `${field}.contentType must be a single-line string`;
  }
  return undefined;
}

/**
 * Every problem that stops a message from being sent: missing or malformed
 * addresses, header injection through line breaks, no body, attachments that
 * point at files. Runs before anything is sent.
 *
 * @public
 */
export function findMailMessageProblems(message: unknown): string[] {
  if (typeof message !== 'object' || message === null)
    return ['message must be an object'];
  const m = message as Record<string, unknown>;
  const problems: string[] = [];
  const unknown = unknownFields(m, MESSAGE_FIELDS);
  if (unknown.length > 0) {
    problems.push(`unknown fields: ${unknown.join(', ')}`);
  }
  let recipients = 0;
  for (const field of ['to', 'cc', 'bcc'] as const) {
    const list = toAddressList(
      m[field] as MailAddress | MailAddress[] | undefined,
    );
    recipients += list.length;
    for (const address of list) {
      const problem = findMailAddressProblem(field, address);
      if (problem) problems.push(problem);
    }
  }
  if (toAddressList(m.to as MailAddress | undefined).length === 0) {
    problems.push('to must name at least one recipient');
  }
  if (recipients > MAX_RECIPIENTS_PER_MESSAGE) {
    problems.push(
      `a message may have at most ${MAX_RECIPIENTS_PER_MESSAGE} recipients`,
    );
  }
  if (m.replyTo !== undefined) {
    const problem = findMailAddressProblem('replyTo', m.replyTo);
    if (problem) problems.push(problem);
  }
  if (typeof m.subject !== 'string' || !isSubjectLine(m.subject)) {
    problems.push(
      `subject must be a single line of at most ${MAX_SUBJECT_LENGTH} characters without control characters`,
    );
  }
  for (const body of ['text', 'html'] as const) {
    const value = m[body];
    if (value !== undefined && typeof value !== 'string') {
      problems.push(`${body} must be a string`);
    } else if (typeof value === 'string' && value.includes('\0')) {
      problems.push(`${body} must not contain NUL characters`);
    }
  }
  if (typeof m.text !== 'string' && typeof m.html !== 'string') {
    problems.push('a message needs text or html');
  }
  if (m.attachments !== undefined) {
    if (!Array.isArray(m.attachments)) {
      problems.push('attachments must be a list');
    } else {
      m.attachments.forEach((a, i) => {
        const problem = attachmentProblem(i, a);
        if (problem) problems.push(problem);
      });
    }
  }
  return problems;
}
