import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';

// The shapes the actions answer with, built from the zod the actions
// registry hands each schema function. They say what each field means:
// an AI assistant reads these descriptions to understand the answer.

// Exactly the zod the registry hands in (Backstage's own copy): a copy of
// our own would be another type, and TypeScript chokes comparing the two.
type Zod = Parameters<
  Parameters<ActionsRegistryService['register']>[0]['schema']['input']
>[0];

/**
 * Any schema of that zod. The helpers below say no more than this about
 * what they return: their precise types live in Backstage's nested copy of
 * zod, which declarations of this package cannot name.
 */
type Schema = InstanceType<Zod['ZodType']>;

export const replySchema = (z: Zod): Schema =>
  z
    .object({
      responseCode: z
        .number()
        .optional()
        .describe('SMTP reply code, e.g. 550; absent when no reply came'),
      response: z.string().optional().describe("The server's reply text"),
      code: z
        .string()
        .optional()
        .describe('Error code, e.g. EAUTH, ECONNECTION, ETIMEDOUT, ETOKEN'),
    })
    .describe("The mail server's reply");

export const explanationSchema = (z: Zod): Schema =>
  z
    .object({
      message: z.string().describe('What the reply means'),
      advice: z.string().describe('What to do about it'),
    })
    .describe('What the reply means, when the portal knows');

const states = [
  'queued',
  'sending',
  'retrying',
  'sent',
  'partial',
  'failed',
  'suppressed',
] as const;

export const stateSchema = (z: Zod): Schema => z.enum(states);

export const countsSchema = (z: Zod): Schema =>
  z.record(z.enum(states), z.number()).describe('Messages in each state');

export const kindSchema = (z: Zod): Schema =>
  z
    .enum(['single', 'bulk', 'test'])
    .describe(
      'single: one transactional message; bulk: a mailing; test: a test email from the settings card',
    );

export const suppressionSchema = (z: Zod): Schema =>
  z.object({
    reason: z.enum([
      'unsubscribed',
      'hard-bounce',
      'soft-bounce',
      'complaint',
      'admin',
    ]),
    list: z
      .string()
      .optional()
      .describe('The list it applies to; absent: all bulk mail'),
  });

export const maskedSchema = (z: Zod): Schema =>
  z
    .boolean()
    .describe(
      'True when recipient addresses are masked (a***@example.com): the caller may read delivery records but not manage the settings',
    );
