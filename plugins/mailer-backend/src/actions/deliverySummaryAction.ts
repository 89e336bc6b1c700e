import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import {
  mailerDeliveryReadPermission,
  mailerSettingsManagePermission,
} from '@elixeum/plugin-mailer-common';
import { MailQueue } from '../service/MailQueue';
import { ActionAccess, authorizeUser } from './actionCaller';
import {
  countsSchema,
  explanationSchema,
  kindSchema,
  maskedSchema,
  replySchema,
} from './deliverySchemas';

/**
 * `mailer:get-delivery-summary`: what the delivery view shows, for the
 * caller's own tenant, with the permissions of `GET /delivery-summary`.
 */
export function registerDeliverySummaryAction(
  registry: ActionsRegistryService,
  access: ActionAccess,
  queue: MailQueue,
): void {
  registry.register({
    name: 'get-delivery-summary',
    title: 'Get the delivery summary of my tenant',
    description: `The outgoing mail of the caller's tenant, as the portal's delivery view shows it: whether delivery is paused and why, recent mailings and test emails with their messages per state, single (transactional) messages of the last 24 hours per state, messages sent and failed in each of the last 24 hours, and the most recent failures with the mail server's reply and what it means.
Read-only. For signed-in users with the permission mailer.delivery.read; recipient addresses are masked unless the user may also manage the notification settings (mailer.settings.manage).`,
    attributes: { readOnly: true, idempotent: true, destructive: false },
    visibilityPermission: mailerDeliveryReadPermission,
    schema: {
      input: z => z.object({}),
      output: z =>
        z.object({
          recipientsMasked: maskedSchema(z),
          pause: z
            .object({
              server: z
                .enum(['custom', 'default'])
                .describe(
                  "The tenant's own server, or the portal's default mailbox",
                ),
              since: z.string(),
              nextAttemptAt: z.string(),
              failures: z.number().describe('Failures in a row'),
              reason: z.string(),
              advice: z.string().optional(),
              reply: replySchema(z).optional(),
            })
            .optional()
            .describe(
              'Set while delivery is paused because the server failed; nothing fails meanwhile',
            ),
          campaigns: z.array(
            z.object({
              campaignId: z.string(),
              kind: kindSchema(z),
              createdAt: z.string(),
              createdBy: z.string().optional(),
              subject: z.string(),
              list: z.string().optional(),
              counts: countsSchema(z),
              unsubscribes: z.number(),
            }),
          ),
          singleMessages: z.object({
            since: z.string(),
            counts: countsSchema(z),
          }),
          hourly: z.array(
            z.object({
              hour: z.string(),
              sent: z.number(),
              failed: z.number(),
            }),
          ),
          recentFailures: z.array(
            z.object({
              id: z.string(),
              campaignId: z.string(),
              subject: z.string(),
              kind: kindSchema(z),
              recipients: z.array(z.string()),
              reply: replySchema(z).optional(),
              explanation: explanationSchema(z).optional(),
              failedAt: z.string(),
            }),
          ),
        }),
    },
    action: async ({ credentials }) => {
      const {
        tenantId,
        allowed: [canManage],
      } = await authorizeUser(
        access,
        credentials,
        'The delivery summary',
        mailerDeliveryReadPermission,
        mailerSettingsManagePermission,
      );
      const summary = await queue.summary(tenantId, {
        revealRecipients: canManage,
      });
      return { output: { recipientsMasked: !canManage, ...summary } };
    },
  });
}
