import type {
  BulkMailTemplate,
  BulkRecipient,
  DeliveryStatus,
  MailMessage,
  MailPriority,
} from '@elixeum/plugin-mailer-common';

/** Options of `MailerService.send` and `sendBulk`. */
export interface MailerSendOptions {
  /**
   * The tenant the mail is for. Single-tenant deployments leave it out;
   * multi-tenant hosts pass it and their tenant resolver checks it.
   */
  tenantId?: string;
  /** `send` defaults to transactional, `sendBulk` to bulk. Transactional mail goes first. */
  priority?: MailPriority;
}

/** A queued mailing: how many recipients were accepted into the outbox. */
export interface QueuedCampaign {
  campaignId: string;
  accepted: number;
}

/**
 * Sends email for a Backstage backend plugin, through the tenant's own SMTP
 * server when the tenant has configured one, and through the portal's default
 * mailbox otherwise. Mail is committed to a durable outbox before these calls
 * return, and delivered in the background with retries.
 */
export interface MailerService {
  /**
   * Queues one message and returns its id. Rejects with an `InputError` for a
   * malformed message, in which case nothing is queued.
   */
  send(
    message: MailMessage,
    options?: MailerSendOptions,
  ): Promise<{ id: string }>;

  /**
   * Queues one message per recipient, personalised with `{{field}}` values
   * from each recipient's `variables` (HTML-escaped in `html`). The body is
   * stored once; recipients are queued in batches as they are read, so an
   * async iterable of any length keeps memory bounded.
   */
  sendBulk(
    template: BulkMailTemplate,
    recipients: Iterable<BulkRecipient> | AsyncIterable<BulkRecipient>,
    options?: MailerSendOptions,
  ): Promise<QueuedCampaign>;

  /** The delivery record of a queued message. */
  getStatus(id: string): Promise<DeliveryStatus>;

  /**
   * Waits until the message is sent and resolves with its record; rejects
   * with a `MailDeliveryError` carrying the SMTP reply once it has failed for
   * good. After `timeoutMs` (default 60 s) it resolves with the record as it
   * is, still queued or retrying.
   */
  waitForDelivery(
    id: string,
    options?: { timeoutMs?: number },
  ): Promise<DeliveryStatus>;
}
