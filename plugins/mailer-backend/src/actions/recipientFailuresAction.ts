import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { NotAllowedError } from '@backstage/errors';
import {
  mailerDeliveryReadPermission,
  mailerSettingsManagePermission,
} from '@elixeum/plugin-mailer-common';
import {
  FAILURES_SEARCHED,
  RecipientFailures,
} from '../service/RecipientFailures';
import { ActionAccess, authorizeUser } from './actionCaller';
import {
  explanationSchema,
  kindSchema,
  maskedSchema,
  replySchema,
} from './deliverySchemas';

/** A masked address as the delivery view shows it: `a***@example.com`. */
const MASKED = /^[^\s@]?\*\*\*@[^\s@]+$/;

/**
 * `mailer:explain-recipient-failures`: why mail to one recipient failed.
 * Looking for a whole address takes `mailer.settings.manage`, as searching
 * the suppression list does: any answer would tell a reader who sees
 * addresses masked that mail went to it. A masked address, as the delivery
 * view shows it, takes `mailer.delivery.read` and is answered masked.
 */
export function registerRecipientFailuresAction(
  registry: ActionsRegistryService,
  access: ActionAccess,
  failures: RecipientFailures,
): void {
  registry.register({
    name: 'explain-recipient-failures',
    title: 'Explain why mail to a recipient failed',
    description: `Why mail from the caller's tenant to one recipient failed: the tenant's recent failed messages (the latest ${FAILURES_SEARCHED} are looked through) that the recipient's mail server refused, newest first, each with the server's reply and what it means when the portal knows (e.g. a mailbox that does not exist, or a receiver refusing the sender's domain for missing DMARC), and whether the address is on the tenant's suppression list (unsubscribed, bounced).
Read-only, for signed-in users. Give the whole address (needs the permission mailer.settings.manage), or the masked form the delivery view shows (a***@example.com; needs mailer.delivery.read, and the answer stays masked).`,
    attributes: { readOnly: true, idempotent: true, destructive: false },
    visibilityPermission: mailerDeliveryReadPermission,
    schema: {
      input: z =>
        z.object({
          recipient: z
            .string()
            .trim()
            .min(3)
            .max(320)
            .describe(
              'The recipient address, or its masked form as the delivery view shows it (a***@example.com)',
            ),
        }),
      output: z =>
        z.object({
          recipientsMasked: maskedSchema(z),
          searched: z
            .number()
            .describe(
              "How many of the tenant's latest failed messages were looked through",
            ),
          failures: z.array(
            z.object({
              id: z.string().describe('The message id'),
              campaignId: z.string(),
              state: z
                .enum(['failed', 'partial'])
                .describe('partial: other recipients got it'),
              subject: z.string(),
              kind: kindSchema(z),
              recipient: z.string(),
              reply: replySchema(z).optional(),
              explanation: explanationSchema(z).optional(),
              failedAt: z.string(),
            }),
          ),
          suppressions: z
            .array(
              z.object({
                address: z.string(),
                list: z
                  .string()
                  .optional()
                  .describe('The list it left; absent: all bulk mail'),
                reason: z.enum([
                  'unsubscribed',
                  'hard-bounce',
                  'soft-bounce',
                  'complaint',
                  'admin',
                ]),
                since: z.string(),
                expiresAt: z.string().optional(),
                campaignId: z.string().optional(),
              }),
            )
            .optional()
            .describe(
              "The address's entries on the suppression list; only when asked by whole address",
            ),
        }),
    },
    action: async ({ input, credentials }) => {
      const masked = MASKED.test(input.recipient);
      const {
        tenantId,
        allowed: [canManage],
      } = await authorizeUser(
        access,
        credentials,
        "Explaining a recipient's failures",
        mailerDeliveryReadPermission,
        mailerSettingsManagePermission,
      );
      if (!masked && !canManage) {
        throw new NotAllowedError(
          `Looking for a whole address needs the permission ${mailerSettingsManagePermission.name}; give it masked, as the delivery view shows it (a***@example.com)`,
        );
      }
      const report = await failures.of(
        tenantId,
        masked ? { masked: input.recipient } : { address: input.recipient },
        { reveal: canManage },
      );
      return { output: { recipientsMasked: !canManage, ...report } };
    },
  });
}
