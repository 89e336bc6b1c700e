import type { MailMessage } from '@elixeum/plugin-mailer-common';

/** Options of one `MailerService.send` call. */
export interface MailerSendOptions {
  /**
   * The tenant the message is sent for. Single-tenant deployments leave it
   * out; multi-tenant hosts pass it and their tenant resolver checks it.
   */
  tenantId?: string;
}

/** What the SMTP server said once it took the message. */
export interface MailerSendResult {
  /** The Message-ID header of the sent message. */
  messageId: string;
  /** Recipients the server refused while accepting the others. */
  rejected: string[];
}

/**
 * Sends email for a Backstage backend plugin, through the tenant's own SMTP
 * server when the tenant has configured one, and through the portal's default
 * mailbox otherwise.
 */
export interface MailerService {
  /**
   * Sends one message. Rejects with an `InputError` for a malformed message
   * (nothing is sent) and with a `MailDeliveryError` carrying the SMTP reply
   * when the server refuses it.
   */
  send(
    message: MailMessage,
    options?: MailerSendOptions,
  ): Promise<MailerSendResult>;
}
