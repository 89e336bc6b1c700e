import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { SerializedError } from '@backstage/errors';
import type { DeliveryStatus } from '@elixeum/plugin-mailer-common';

/**
 * Whose tenant a request is for: named, or the tenant of a user.
 *
 * @public
 */
export interface MailerSenderQuery {
  /** The tenant, as in `MailerSendOptions`. */
  tenantId?: string;
  /** A user entity ref whose tenant it is, as in `MailerSendOptions`. */
  forUser?: string;
}

/**
 * What the mailer backend does for the plugins that send through it: the
 * operations behind its service routes. Requests are in their JSON form
 * (see `toWireMessage`) and checked by the backend. `caller` is the calling
 * plugin's own service credentials.
 *
 * The mailer service reaches it over HTTP, or, when the mailer backend runs
 * in the same backend as the caller, directly (see
 * `mailerInProcessBackendServiceRef`): the same checks, without the request's
 * HTTP and token round trips.
 *
 * @public
 */
export interface MailerBackendApi {
  /** Queues one message; the same `idempotencyKey` within 24 hours queues nothing more. */
  sendMessage(
    caller: BackstageCredentials,
    request: unknown,
    idempotencyKey: string,
  ): Promise<{ id: string }>;
  /**
   * Queues several messages, each as `sendMessage` would, committed
   * together; each result is the message's id, or the error that refused
   * it alone.
   */
  sendMessages(
    caller: BackstageCredentials,
    requests: Array<{ request: unknown; idempotencyKey: string }>,
  ): Promise<Array<{ id: string } | { error: SerializedError }>>;
  /** A message's delivery record, waiting up to `waitMs` for a final state. */
  getStatus(
    caller: BackstageCredentials,
    id: string,
    query: MailerSenderQuery & { waitMs?: number },
  ): Promise<DeliveryStatus>;
  /** Stores the body of a mailing. */
  createCampaign(
    caller: BackstageCredentials,
    request: unknown,
  ): Promise<{ campaignId: string }>;
  /** Queues one batch of a mailing's recipients (never twice for one `seq`). */
  addRecipients(
    caller: BackstageCredentials,
    campaignId: string,
    request: unknown,
  ): Promise<{ accepted: number; suppressed?: number }>;
  /** Withdraws a mailing: its waiting messages are deleted. */
  cancelCampaign(
    caller: BackstageCredentials,
    campaignId: string,
    query: MailerSenderQuery,
  ): Promise<{ withdrawn: number }>;
}
