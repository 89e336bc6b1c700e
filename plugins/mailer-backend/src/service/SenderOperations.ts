import {
  BackstageCredentials,
  BackstageServicePrincipal,
} from '@backstage/backend-plugin-api';
import {
  NotAllowedError,
  SerializedError,
  serializeError,
} from '@backstage/errors';
import {
  BulkMailTemplate,
  BulkRecipient,
  DeliveryStatus,
  MailMessage,
} from '@elixeum/plugin-mailer-common';
import {
  MailerBackendApi,
  MailerSenderQuery,
  MailerTenantResolver,
} from '@elixeum/plugin-mailer-node';
import {
  addRecipientsBody,
  createCampaignBody,
  idParameter,
  parseBody,
  parseIdempotencyKey,
  sendMessageBody,
  sendMessagesBody,
  statusQuery,
  tenantQuery,
} from '../requestBodies';
import { isClientError } from '../routes/errorBoundary';
import { resolveSenderTenant } from '../tenancy/resolveSenderTenant';
import { MailQueue } from './MailQueue';

/** Callers may wait this long for a message to be delivered; they ask again after. */
const MAX_STATUS_WAIT_MS = 25_000;

/**
 * What other plugins may do through the mailer, for the tenant the resolver
 * gives the calling plugin: the service routes translate HTTP into these,
 * and plugins in the same backend call them directly. Every input is
 * checked here, whichever way it came.
 */
export class SenderOperations implements MailerBackendApi {
  constructor(
    private readonly queue: MailQueue,
    private readonly tenants: MailerTenantResolver,
  ) {}

  async sendMessage(
    caller: BackstageCredentials,
    request: unknown,
    idempotencyKey: string | undefined,
  ): Promise<{ id: string }> {
    const body = parseBody(sendMessageBody, request);
    const key = parseIdempotencyKey(idempotencyKey);
    // A repeated key answers as the first send did, with the same id.
    return this.queue.send(body.message as MailMessage, {
      tenantId: await this.tenantOf(caller, body),
      createdBy: pluginOf(caller),
      priority: body.priority,
      listId: body.listId,
      idempotencyKey: key,
    });
  }

  /**
   * Queues several messages, each as `sendMessage` would: the ones sent at
   * the same time are committed together. A message the mailer refuses
   * (invalid, a reused key, a tenant the caller may not send for) gets its
   * error in its place, and the others are queued; anything else (the
   * database is down) rejects the whole call, which the caller may repeat
   * with the same keys.
   */
  async sendMessages(
    caller: BackstageCredentials,
    requests: Array<{ request: unknown; idempotencyKey: string }>,
  ): Promise<Array<{ id: string } | { error: SerializedError }>> {
    const { messages } = parseBody(sendMessagesBody, { messages: requests });
    const settled = await Promise.allSettled(
      messages.map(({ request, idempotencyKey }) =>
        this.sendMessage(caller, request, idempotencyKey),
      ),
    );
    return settled.map(result => {
      if (result.status === 'fulfilled') return result.value;
      if (!isClientError(result.reason)) throw result.reason;
      return { error: serializeError(result.reason as Error) };
    });
  }

  async getStatus(
    caller: BackstageCredentials,
    id: string,
    query: MailerSenderQuery & { waitMs?: number | string },
  ): Promise<DeliveryStatus> {
    const messageId = parseBody(idParameter, id);
    const checked = parseBody(statusQuery, {
      ...query,
      // A number from a plugin in this backend; text from a query string.
      waitMs:
        typeof query.waitMs === 'number' ? String(query.waitMs) : query.waitMs,
    });
    const tenantId = await this.tenantOf(caller, checked);
    const waitMs = Math.min(Number(checked.waitMs ?? 0), MAX_STATUS_WAIT_MS);
    return this.queue.waitForFinalStatus(messageId, tenantId, waitMs);
  }

  async createCampaign(
    caller: BackstageCredentials,
    request: unknown,
  ): Promise<{ campaignId: string }> {
    const body = parseBody(createCampaignBody, request);
    return this.queue.createCampaign(body.template as BulkMailTemplate, {
      tenantId: await this.tenantOf(caller, body),
      createdBy: pluginOf(caller),
      priority: body.priority,
      // By default, the calling plugin's id.
      listId: body.listId,
    });
  }

  async addRecipients(
    caller: BackstageCredentials,
    campaignId: string,
    request: unknown,
  ): Promise<{ accepted: number; suppressed?: number }> {
    const id = parseBody(idParameter, campaignId);
    const body = parseBody(addRecipientsBody, request);
    return this.queue.addRecipients(
      id,
      await this.tenantOf(caller, body),
      body.recipients as BulkRecipient[],
      body.seq,
    );
  }

  async cancelCampaign(
    caller: BackstageCredentials,
    campaignId: string,
    query: MailerSenderQuery,
  ): Promise<{ withdrawn: number }> {
    const id = parseBody(idParameter, campaignId);
    const checked = parseBody(tenantQuery, query);
    return this.queue.cancelCampaign(id, await this.tenantOf(caller, checked));
  }

  /** The tenant the calling plugin acts for; only plugins may call. */
  private tenantOf(
    credentials: BackstageCredentials,
    sender: { tenantId?: string; forUser?: string },
  ): Promise<string> {
    pluginOf(credentials);
    return resolveSenderTenant(this.tenants, {
      credentials,
      requestedTenantId: sender.tenantId,
      forUser: sender.forUser,
    });
  }
}

/** The calling plugin's subject, e.g. `plugin:notifications`; only plugins may call. */
function pluginOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as Partial<BackstageServicePrincipal>;
  if (principal?.type !== 'service' || typeof principal.subject !== 'string') {
    throw new NotAllowedError('Only backend plugins may send mail');
  }
  return principal.subject;
}
