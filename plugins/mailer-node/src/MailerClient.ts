import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, ResponseError } from '@backstage/errors';
import {
  BulkMailTemplate,
  BulkRecipient,
  DeliveryStatus,
  findMailMessageProblems,
  MailDeliveryError,
  MailMessage,
} from '@elixeum/plugin-mailer-common';
import {
  MailerSendOptions,
  MailerService,
  QueuedCampaign,
} from './MailerService';
import { toWireMessage } from './wireMessage';

/** The plugin id the mailer backend is installed under. */
export const MAILER_PLUGIN_ID = 'mailer';

/** Recipients per request while streaming a bulk mailing to the backend. */
const RECIPIENT_BATCH = 1000;
/** How long one status request may wait on the backend. */
const STATUS_POLL_MS = 20_000;

/**
 * The default `MailerService`: calls the mailer backend over HTTP with a
 * plugin-to-plugin token, so the calling plugin needs no access to the
 * mailer's database and may run in another backend.
 */
export class MailerClient implements MailerService {
  constructor(
    private readonly deps: { discovery: DiscoveryService; auth: AuthService },
  ) {}

  async send(
    message: MailMessage,
    options?: MailerSendOptions,
  ): Promise<{ id: string }> {
    // Fail fast in the caller's process with the same rules the backend applies.
    const problems = findMailMessageProblems(message);
    if (problems.length > 0) {
      throw new InputError(`Invalid mail message: ${problems.join('; ')}`);
    }
    return this.request('POST', '/messages', {
      tenantId: options?.tenantId,
      priority: options?.priority,
      message: toWireMessage(message),
    });
  }

  async sendBulk(
    template: BulkMailTemplate,
    recipients: Iterable<BulkRecipient> | AsyncIterable<BulkRecipient>,
    options?: MailerSendOptions,
  ): Promise<QueuedCampaign> {
    const tenantId = options?.tenantId;
    const { campaignId } = await this.request<{ campaignId: string }>(
      'POST',
      '/campaigns',
      {
        tenantId,
        priority: options?.priority,
        template: toWireMessage(template),
      },
    );
    let accepted = 0;
    let batch: BulkRecipient[] = [];
    const flush = async () => {
      const result = await this.request<{ accepted: number }>(
        'POST',
        `/campaigns/${encodeURIComponent(campaignId)}/recipients`,
        { tenantId, recipients: batch },
      );
      accepted += result.accepted;
      batch = [];
    };
    for await (const recipient of recipients) {
      batch.push(recipient);
      if (batch.length === RECIPIENT_BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    return { campaignId, accepted };
  }

  getStatus(id: string): Promise<DeliveryStatus> {
    return this.request('GET', `/messages/${encodeURIComponent(id)}`);
  }

  async waitForDelivery(
    id: string,
    options?: { timeoutMs?: number },
  ): Promise<DeliveryStatus> {
    const deadline = Date.now() + (options?.timeoutMs ?? 60_000);
    for (;;) {
      const waitMs = Math.max(
        0,
        Math.min(STATUS_POLL_MS, deadline - Date.now()),
      );
      const status = await this.request<DeliveryStatus>(
        'GET',
        `/messages/${encodeURIComponent(id)}?waitMs=${waitMs}`,
      );
      if (status.state === 'failed') {
        throw new MailDeliveryError(
          `Mail ${id} could not be delivered: ${status.lastReply?.response ?? 'no reply'}`,
          status.lastReply ?? {},
        );
      }
      if (status.state === 'sent' || Date.now() >= deadline) return status;
    }
  }

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const { discovery, auth } = this.deps;
    const baseUrl = await discovery.getBaseUrl(MAILER_PLUGIN_ID);
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: MAILER_PLUGIN_ID,
    });
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        Authorization: `Bearer ${token}`,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw await toSendError(response);
    }
    return (await response.json()) as T;
  }
}

/**
 * Rebuilds the backend's error as the same Backstage error class, so callers
 * can tell a malformed message or a refused tenant from other failures.
 * (SMTP refusals do not come this way: they arrive through `waitForDelivery`.)
 */
async function toSendError(response: Response): Promise<Error> {
  const error = await ResponseError.fromResponse(response);
  const { name, message } = error.body.error;
  switch (name) {
    case 'InputError':
      return new InputError(message);
    case 'NotAllowedError':
      return new NotAllowedError(message);
    default:
      return error;
  }
}
