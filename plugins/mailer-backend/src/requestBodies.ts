import { InputError } from '@backstage/errors';
import { SettingsChange } from '@elixeum/plugin-mailer-common';
import { z } from 'zod';

// The shapes of the routes' JSON bodies. What the values mean is checked
// further down, by the shared rules in mailer-common.

export const settingsUpdateBody = z
  .object({
    values: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  })
  .strict();

export const connectionTestBody = z
  .object({
    values: settingsUpdateBody.shape.values.optional(),
    sendTo: z.string().optional(),
  })
  .strict();

const priority = z.enum(['transactional', 'bulk']).optional();

export const sendMessageBody = z
  .object({
    tenantId: z.string().min(1).optional(),
    message: z.unknown(),
    priority,
  })
  .strict();

export const createCampaignBody = z
  .object({
    tenantId: z.string().min(1).optional(),
    template: z.unknown(),
    priority,
  })
  .strict();

export const addRecipientsBody = z
  .object({
    tenantId: z.string().min(1).optional(),
    recipients: z.array(
      z.object({
        to: z.union([
          z.string(),
          z.object({ name: z.string().optional(), address: z.string() }),
        ]),
        variables: z.record(z.string(), z.string()).optional(),
      }),
    ),
  })
  .strict();

/** Parses a request body, or throws an `InputError` naming each bad field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const problems = result.error.issues.map(issue =>
      issue.path.length > 0
        ? `${issue.path.join('.')}: ${issue.message}`
        : issue.message,
    );
    throw new InputError(`Invalid request body: ${problems.join('; ')}`);
  }
  return result.data;
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
