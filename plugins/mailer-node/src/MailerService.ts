import type {
  BulkMailTemplate,
  BulkRecipient,
  DeliveryStatus,
  MailMessage,
  MailPriority,
} from '@elixeum/plugin-mailer-common';

/**
 * Options of `MailerService.send` and `sendBulk`.
 *
 * @public
 */
export interface MailerSendOptions {
  /**
   * The tenant the mail is for. Single-tenant deployments leave it out;
   * multi-tenant hosts pass it and their tenant resolver checks it.
   */
  tenantId?: string;
  /**
   * The user the mail is for, as a user entity ref (`user:default/ada`): the
   * mail goes out through that user's tenant. For plugins that know a
   * recipient but act for no request, e.g. the notifications module. Give
   * either this or `tenantId`, not both.
   */
  forUser?: string;
  /** `send` defaults to transactional, `sendBulk` to bulk. Transactional mail goes first. */
  priority?: MailPriority;
  /**
   * The list the mail goes to, e.g. `release-news`: 1 to 63 lower-case
   * letters, digits and inner hyphens. Mail to a list is bulk mail: each
   * message carries its recipient's one-click unsubscribe link
   * (`List-Unsubscribe`, `List-Unsubscribe-Post`, `List-Id` headers, and
   * `{{unsubscribeUrl}}` in the body), and is not sent to whoever left the
   * list or all of the tenant's bulk mail. `sendBulk` defaults to your
   * plugin's id; `send` sends transactional mail (no unsubscribe) unless
   * given one, and then takes exactly one recipient.
   */
  listId?: string;
  /**
   * `send` only: the same key from the same plugin and tenant within 24
   * hours queues nothing more and resolves with the first message's id,
   * e.g. a key derived from your own event's id, so that handling the
   * event twice sends one email. Reusing a key for another message rejects
   * with a `ConflictError`. 1 to 255 printable ASCII characters. Without
   * one, each `send` call makes its own, so its own retries never queue
   * twice. (`sendBulk` batches are queued once by their own numbers.)
   */
  idempotencyKey?: string;
}

/**
 * One message of `sendMany`, with the options `send` would take for it.
 *
 * @public
 */
export interface MailerSendItem {
  message: MailMessage;
  options?: MailerSendOptions;
}

/**
 * What `sendMany` did with one message: queued it (its id), or refused it
 * alone (an `InputError` for a malformed message or a tenant the
 * deployment does not serve, a `ConflictError` for a reused idempotency
 * key, a `NotAllowedError` for a tenant the plugin may not send for).
 *
 * @public
 */
export type MailerSendManyResult = { id: string } | { error: Error };

/**
 * A queued mailing: how many recipients were accepted into the outbox to
 * be sent, and how many were not, being on the suppression list (e.g.
 * unsubscribed); those show as `suppressed` in the delivery records.
 *
 * @public
 */
export interface QueuedCampaign {
  campaignId: string;
  accepted: number;
  suppressed: number;
}

/**
 * Sends email for a Backstage backend plugin, through the tenant's own SMTP
 * server when the tenant has configured one, and through the portal's default
 * mailbox otherwise. Mail is committed to a durable outbox before these calls
 * return, and delivered in the background with retries.
 *
 * @public
 */
export interface MailerService {
  /**
   * Queues one message and returns its id. Rejects with an `InputError` for a
   * malformed message, in which case nothing is queued. A request the
   * backend did not answer is sent again with the same idempotency key, so
   * the message is queued once.
   */
  send(
    message: MailMessage,
    options?: MailerSendOptions,
  ): Promise<{ id: string }>;

  /**
   * Queues several messages, each exactly as `send` would (its own
   * recipients, tenant, priority, list and idempotency key), in few
   * requests, committed together: many times faster than as many `send`
   * calls, e.g. for a notification to a thousand users. Resolves with each
   * message's result, in order; a message refused by itself does not stop
   * the others. Rejects only when the mailer could not be reached or
   * failed; calling again then queues nothing twice (each message keeps its
   * key, its own or one made here).
   */
  sendMany(items: MailerSendItem[]): Promise<MailerSendManyResult[]>;

  /**
   * Queues one message per recipient, personalised with `{{field}}` values
   * from each recipient's `variables` (HTML-escaped in `html`). The body is
   * stored once; recipients are queued in batches as they are read, so an
   * async iterable of any length keeps memory bounded. A batch that must be
   * sent again (the backend did not answer) is never queued twice. If the
   * iterable throws, or a batch is refused, the campaign is cancelled (its
   * waiting messages withdrawn) and the promise rejects with that error.
   * The mailing goes to a list (`listId`, by default your plugin's id):
   * every message carries its recipient's unsubscribe link, and whoever
   * left the list is skipped (counted in `suppressed`).
   */
  sendBulk(
    template: BulkMailTemplate,
    recipients: Iterable<BulkRecipient> | AsyncIterable<BulkRecipient>,
    options?: MailerSendOptions,
  ): Promise<QueuedCampaign>;

  /**
   * The delivery record of a queued message, with each recipient's result.
   * A message of another tenant is not found: pass the `tenantId` it was
   * sent for, as with `send`.
   */
  getStatus(
    id: string,
    options?: Pick<MailerSendOptions, 'tenantId' | 'forUser'>,
  ): Promise<DeliveryStatus>;

  /**
   * Waits until delivery is final and resolves with the record: `sent`,
   * `partial` when some recipients refused it for good (see `recipients`),
   * or `suppressed` when nobody was sent it for being on the suppression list.
   * Rejects with a `MailDeliveryError` carrying the SMTP reply when nobody
   * got it. After `timeoutMs` (default 60 s) it resolves with the record as
   * it is, still queued or retrying (e.g. while the tenant's server is paused).
   */
  waitForDelivery(
    id: string,
    options?: { timeoutMs?: number } & Pick<
      MailerSendOptions,
      'tenantId' | 'forUser'
    >,
  ): Promise<DeliveryStatus>;
}
