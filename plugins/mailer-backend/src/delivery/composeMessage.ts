import {
  BulkMailTemplate,
  isSubjectLine,
  MailAttachment,
  MAX_SUBJECT_LENGTH,
  UNSUBSCRIBE_URL_FIELD,
} from '@elixeum/plugin-mailer-common';
import type Mail from 'nodemailer/lib/mailer';
import { pooledRandomBytes } from '../crypto/pooledRandomBytes';
import { ClaimedMessage } from '../database/OutboxClaims';
import { SmtpServerSettings } from '../smtp/SmtpServerSettings';
import { ListLink, listHeaders } from './listHeaders';
import {
  assertPersonalisedSize,
  encodedAttachmentBytes,
  personalise,
} from './personalise';

/** A stored campaign body: attachments travel as base64 or UTF-8 text. */
export type StoredTemplate = Omit<BulkMailTemplate, 'attachments'> & {
  attachments?: Array<Omit<MailAttachment, 'content'> & { content: string }>;
};

/**
 * The Message-ID of an outbox row: the same for every attempt, so that a
 * message sent twice (a replica died before recording it) carries one id,
 * which lets mail systems and people recognise the copy.
 */
export function messageIdOf(rowId: string, from: string): string {
  const domain = from.slice(from.lastIndexOf('@') + 1) || 'localhost';
  return `<${rowId}@${domain}>`;
}

/**
 * The nodemailer message for one claimed outbox row, addressed (in the
 * envelope) to `envelopeTo` only: the recipients still waiting for it. The
 * headers keep every recipient. It never reads files or URLs. Mail to a
 * list (`list`) carries the list's headers, and `{{unsubscribeUrl}}` is its
 * recipient's link; other mail carries neither.
 */
export function composeMessage(
  template: StoredTemplate,
  message: ClaimedMessage,
  sender: Pick<SmtpServerSettings, 'from' | 'fromName' | 'replyTo'>,
  envelopeTo: string[],
  list?: ListLink,
): Mail.Options {
  const { from } = sender;
  const { recipients } = message;
  // Ours wins: a recipient's values may not name the field (refused when queued).
  const variables = list
    ? { ...message.variables, [UNSUBSCRIBE_URL_FIELD]: list.unsubscribeUrl }
    : message.variables;
  // Only bulk mail is personalised: a transactional text is sent as written.
  const fill = (text: string | undefined, html = false) =>
    text === undefined || variables === undefined
      ? text
      : personalise(text, variables, html);
  const subject = fill(template.subject);
  // Checked when the recipient was queued; a row queued before that check
  // fails here, by itself, instead of folding a line break into a header.
  if (subject !== undefined && !isSubjectLine(subject)) {
    throw new Error(
      `the personalised subject is not a single line of at most ${MAX_SUBJECT_LENGTH} characters without control characters`,
    );
  }
  const text = fill(template.text);
  const html = fill(template.html, true);
  if (variables !== undefined) {
    assertPersonalisedSize(
      [subject, text, html],
      encodedAttachmentBytes(template.attachments),
    );
  }
  return {
    from: sender.fromName ? { name: sender.fromName, address: from } : from,
    to: recipients.to,
    cc: recipients.cc,
    bcc: recipients.bcc,
    envelope: { from, to: envelopeTo },
    messageId: messageIdOf(message.id, from),
    headers: list && listHeaders(list, from),
    replyTo: template.replyTo ?? sender.replyTo,
    subject,
    text,
    html,
    attachments: template.attachments?.map(a => ({
      filename: a.filename,
      content: a.content,
      encoding: a.encoding === 'base64' ? 'base64' : undefined,
      contentType: a.contentType,
    })),
    disableFileAccess: true,
    disableUrlAccess: true,
    // Without it nodemailer draws one from the CSPRNG for every part.
    baseBoundary: pooledRandomBytes(8).toString('hex'),
  };
}
