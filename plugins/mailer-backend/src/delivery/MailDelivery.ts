import { InputError } from '@backstage/errors';
import {
  findMailMessageProblems,
  MailAddress,
  MailMessage,
  SendMailResponse,
} from '@elixeum/plugin-mailer-common';
import type Mail from 'nodemailer/lib/mailer';
import { SmtpTransports } from './SmtpTransports';
import { toMailDeliveryError } from './toMailDeliveryError';

function toNodemailerMessage(message: MailMessage, from: string): Mail.Options {
  return {
    from,
    to: message.to,
    cc: message.cc,
    bcc: message.bcc,
    replyTo: message.replyTo,
    subject: message.subject,
    text: message.text,
    html: message.html,
    attachments: message.attachments?.map(a => ({
      filename: a.filename,
      content:
        typeof a.content === 'string' ? a.content : Buffer.from(a.content),
      encoding: a.encoding === 'base64' ? 'base64' : undefined,
      contentType: a.contentType,
    })),
    // Belt and braces: the transport forbids these too.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

function addressOf(recipient: MailAddress | string): string {
  return typeof recipient === 'string' ? recipient : recipient.address;
}

/** Sends one message for a tenant through the server that tenant uses now. */
export class MailDelivery {
  constructor(private readonly transports: SmtpTransports) {}

  async send(
    tenantId: string,
    message: MailMessage,
  ): Promise<SendMailResponse> {
    const problems = findMailMessageProblems(message);
    if (problems.length > 0) {
      throw new InputError(`Invalid mail message: ${problems.join('; ')}`);
    }
    const { server, transport } = await this.transports.forTenant(tenantId);
    try {
      const info = await transport.sendMail(
        toNodemailerMessage(message, server.from),
      );
      return {
        messageId: info.messageId,
        rejected: (info.rejected ?? []).map(addressOf),
      };
    } catch (error) {
      throw toMailDeliveryError(error, server);
    }
  }
}
