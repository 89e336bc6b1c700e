import { InputError } from '@backstage/errors';
import {
  hasControlCharacter,
  IDEMPOTENCY_KEY_HEADER,
  isIdempotencyKey,
  isListId,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_MESSAGES_PER_BATCH,
  SettingsChange,
  settingKeyCatalog,
} from '@elixeum/plugin-mailer-common';
import { z } from 'zod';

// The shapes of the routes' JSON bodies, query strings and path parameters.
// What the values mean is checked further down, by the shared rules in
// mailer-common.

/** A single line of at most `max` characters, without control characters. */
const line = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine(value => !hasControlCharacter(value), {
      message: 'must not contain control characters',
    });

const tenantId = line(200).optional();
/** The user (an entity ref) whose tenant's server should carry the mail. */
const forUser = line(400).optional();

/** Message and campaign ids: ours are UUIDs; anything else cannot be one. */
export const idParameter = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a message or campaign id');

export const settingsUpdateBody = z
  .object({
    values: z
      .record(line(100), z.union([z.string(), z.number(), z.null()]))
      .refine(
        values => Object.keys(values).length <= settingKeyCatalog.length,
        {
          message: `may set at most ${settingKeyCatalog.length} keys`,
        },
      ),
  })
  .strict();

export const connectionTestBody = z
  .object({
    values: settingsUpdateBody.shape.values.optional(),
    sendTo: z.string().max(254).optional(),
  })
  .strict();

export const senderCheckBody = z
  .object({
    values: settingsUpdateBody.shape.values.optional(),
    refresh: z.boolean().optional(),
  })
  .strict();

const priority = z
  .enum(['transactional', 'bulk'], {
    // zod's own message repeats the value it got.
    errorMap: () => ({ message: 'must be transactional or bulk' }),
  })
  .optional();

/** The list mail goes to: a DNS label, so that it fits `List-Id` as it is. */
const listId = z
  .string()
  .refine(isListId, {
    message:
      'must be 1 to 63 lower-case letters, digits and inner hyphens, e.g. release-news',
  })
  .optional();

export const sendMessageBody = z
  .object({
    tenantId,
    forUser,
    message: z.unknown(),
    priority,
    listId,
  })
  .strict();

/** Several sends at once, each as `POST /messages` takes it (`request`), with its own key. */
export const sendMessagesBody = z
  .object({
    messages: z
      .array(
        z.object({ request: z.unknown(), idempotencyKey: z.string() }).strict(),
      )
      .min(1)
      .max(MAX_MESSAGES_PER_BATCH),
  })
  .strict();

export const createCampaignBody = z
  .object({
    tenantId,
    forUser,
    template: z.unknown(),
    priority,
    listId,
  })
  .strict();

// Each recipient is checked by the shared bulk-recipient rules, as in send().
export const addRecipientsBody = z
  .object({
    tenantId,
    forUser,
    /** The batch's number in its campaign: a retried batch is not queued twice. */
    seq: z.number().int().min(0).max(2_000_000_000).optional(),
    recipients: z.array(z.unknown()),
  })
  .strict();

export const tenantQuery = z.object({ tenantId, forUser }).strict();

/** A page of the suppression list: `q` searches the addresses. */
export const suppressionListQuery = z
  .object({
    q: z.string().max(254).optional(),
    offset: z
      .string()
      .regex(/^\d{1,7}$/, 'must be a whole number')
      .optional(),
    limit: z
      .string()
      .regex(/^\d{1,3}$/, 'must be a whole number up to 999')
      .optional(),
  })
  .strict();

/** Which suppression to remove: an address, and its list (none: all bulk mail). */
export const suppressionRemoval = z
  .object({
    address: line(254),
    list: z
      .string()
      .refine(isListId, { message: 'is not a list id' })
      .optional(),
  })
  .strict();

export const statusQuery = z
  .object({
    waitMs: z
      .string()
      .regex(/^\d{1,9}$/, 'must be a number of milliseconds')
      .optional(),
    tenantId,
    forUser,
  })
  .strict();

/** A path segment as shown in an error: a megabyte-long key is not repeated back. */
function shortened(segment: string | number): string {
  const text = String(segment);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Parses a request body (or query, or parameter), or throws an `InputError` naming each bad field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const problems = result.error.issues.map(issue =>
      issue.path.length > 0
        ? `${issue.path.map(shortened).join('.')}: ${issue.message}`
        : issue.message,
    );
    throw new InputError(`Invalid request body: ${problems.join('; ')}`);
  }
  return result.data;
}

/**
 * A send's `Idempotency-Key` header, or undefined without one; an
 * `InputError` naming the header for a bad value (which is not repeated).
 */
export function parseIdempotencyKey(
  value: string | undefined,
): string | undefined {
  if (value === undefined) return undefined;
  if (!isIdempotencyKey(value)) {
    throw new InputError(
      `Invalid ${IDEMPOTENCY_KEY_HEADER} header: it must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`,
    );
  }
  return value;
}

/** Numbers are accepted for convenience (`"SMTP.Port": 587`); settings are stored as text. */
export function toSettingsChange(
  values: Record<string, string | number | null>,
): SettingsChange {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      typeof value === 'number' ? String(value) : value,
    ]),
  );
}
