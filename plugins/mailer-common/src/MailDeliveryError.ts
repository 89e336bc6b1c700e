import { CustomErrorBase } from '@backstage/errors';

/**
 * What the SMTP server said when it refused a message.
 *
 * @public
 */
export interface SmtpReply {
  /** The reply code, e.g. 535 or 421; absent when no reply came (connection or TLS failure). */
  responseCode?: number;
  /** The server's reply text, with any credential removed. */
  response?: string;
  /** nodemailer's error code, e.g. EAUTH, ECONNECTION, ETIMEDOUT, EENVELOPE. */
  code?: string;
}

/**
 * A message could not be delivered. Carries the SMTP server's reply so that
 * callers can tell a full mailbox from a refused login; never a credential.
 *
 * @public
 */
export class MailDeliveryError extends CustomErrorBase {
  name = 'MailDeliveryError' as const;
  readonly reply: SmtpReply;

  constructor(message: string, reply: SmtpReply) {
    super(message);
    this.reply = reply;
  }
}
