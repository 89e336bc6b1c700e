import {
  BulkMailTemplate,
  MailAttachment,
} from '@elixeum/plugin-mailer-common';
import type Mail from 'nodemailer/lib/mailer';
import { ClaimedMessage } from '../database/OutboxStore';
import { personalise } from './personalise';

/** A stored campaign body: attachments travel as base64 or UTF-8 text. */
export type StoredTemplate = Omit<BulkMailTemplate, 'attachments'> & {
  attachments?: Array<Omit<MailAttachment, 'content'> & { content: string }>;
};

/** The nodemailer message for one claimed outbox row. It never reads files or URLs. */
export function composeMessage(
  template: StoredTemplate,
  message: ClaimedMessage,
  from: string,
): Mail.Options {
  const { variables, recipients } = message;
  return {
    from,
    to: recipients.to,
    cc: recipients.cc,
    bcc: recipients.bcc,
    replyTo: template.replyTo,
    subject: personalise(template.subject, variables),
    text:
      template.text === undefined
        ? undefined
        : personalise(template.text, variables),
    html:
      template.html === undefined
        ? undefined
        : personalise(template.html, variables, true),
    attachments: template.attachments?.map(a => ({
      filename: a.filename,
      content: a.content,
      encoding: a.encoding === 'base64' ? 'base64' : undefined,
      contentType: a.contentType,
    })),
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
