import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { InputError } from '@backstage/errors';
import {
  mailerDeliveryReadPermission,
  mailerSettingsManagePermission,
} from '@elixeum/plugin-mailer-common';
import { MailQueue } from '../service/MailQueue';
import { maskDeliveryStatus } from '../service/maskRecipients';
import { resolveSenderTenant } from '../tenancy/resolveSenderTenant';
import { ActionAccess, authorizeUser } from './actionCaller';
import {
  explanationSchema,
  maskedSchema,
  replySchema,
  stateSchema,
  suppressionSchema,
} from './deliverySchemas';

/**
 * `mailer:get-message-status`: one queued message's delivery record. A
 * service reads it as through `GET /messages/:id` (its tenant from the
 * resolver, addresses in full); a user as in the delivery view
 * (`mailer.delivery.read`, addresses masked unless they manage the
 * settings), and only for their own tenant.
 */
export function registerMessageStatusAction(
  registry: ActionsRegistryService,
  access: ActionAccess,
  queue: MailQueue,
): void {
  registry.register({
    name: 'get-message-status',
    title: 'Get the delivery status of a message',
    description: `Where one message sent through the portal's mailer stands, by the id the send returned: queued, sending, retrying (with the next attempt), sent, partial (some recipients refused it for good), failed or suppressed (every recipient is on the suppression list, e.g. unsubscribed), each recipient's result with the mail server's reply, and what the last reply means when the portal knows.
Read-only. Users with the permission mailer.delivery.read see their own tenant's messages, with recipient addresses masked unless they may also manage the notification settings. Services (plugins, automation) see the messages of the tenant the portal gives them, as when they sent; they may name it with tenantId or forUser.`,
    attributes: { readOnly: true, idempotent: true, destructive: false },
    visibilityPermission: mailerDeliveryReadPermission,
    schema: {
      input: z =>
        z.object({
          id: z
            .string()
            .regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a message id')
            .describe('The message id the send returned'),
          tenantId: z
            .string()
            .min(1)
            .max(190)
            .optional()
            .describe('Services only: the tenant the message was sent for'),
          forUser: z
            .string()
            .optional()
            .describe(
              "Services only: the user entity ref (user:default/ada) whose tenant's message it is",
            ),
        }),
      output: z =>
        z.object({
          recipientsMasked: maskedSchema(z),
          id: z.string(),
          campaignId: z.string(),
          state: stateSchema(z),
          attempts: z.number(),
          messageId: z
            .string()
            .optional()
            .describe('The Message-ID header, once sent'),
          rejected: z.array(z.string()).describe('Recipients refused for good'),
          recipients: z.array(
            z.object({
              address: z.string(),
              state: z.enum([
                'pending',
                'sent',
                'deferred',
                'failed',
                'suppressed',
              ]),
              reply: replySchema(z).optional(),
              suppression: suppressionSchema(z).optional(),
            }),
          ),
          lastReply: replySchema(z).optional(),
          explanation: explanationSchema(z).optional(),
          createdAt: z.string(),
          updatedAt: z.string(),
          sentAt: z.string().optional(),
          nextAttemptAt: z.string().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      if (access.auth.isPrincipal(credentials, 'service')) {
        const tenantId = await resolveSenderTenant(access.tenants, {
          credentials,
          requestedTenantId: input.tenantId,
          forUser: input.forUser,
        });
        const status = await queue.status(input.id, tenantId);
        return { output: { recipientsMasked: false, ...status } };
      }
      if (input.tenantId !== undefined || input.forUser !== undefined) {
        throw new InputError(
          "tenantId and forUser are for services; a user reads their own tenant's messages",
        );
      }
      const {
        tenantId,
        allowed: [canManage],
      } = await authorizeUser(
        access,
        credentials,
        "A message's status",
        mailerDeliveryReadPermission,
        mailerSettingsManagePermission,
      );
      const status = await queue.status(input.id, tenantId);
      return {
        output: {
          recipientsMasked: !canManage,
          ...(canManage ? status : maskDeliveryStatus(status)),
        },
      };
    },
  });
}
