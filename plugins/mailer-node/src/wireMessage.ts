import type {
  MailAttachment,
  MailMessage,
} from '@elixeum/plugin-mailer-common';

/**
 * An attachment as it travels in JSON: bytes become base64 text.
 *
 * @public
 */
export type WireAttachment = Omit<MailAttachment, 'content'> & {
  content: string;
};

/**
 * A message or template as it travels in JSON to the mailer backend.
 *
 * @public
 */
export type WireMessage<T extends { attachments?: MailAttachment[] }> = Omit<
  T,
  'attachments'
> & { attachments?: WireAttachment[] };

/**
 * A message as it travels in JSON to the mailer backend.
 *
 * @public
 */
export type WireMailMessage = WireMessage<MailMessage>;

function toWireAttachment(attachment: MailAttachment): WireAttachment {
  if (typeof attachment.content === 'string') {
    return { ...attachment, content: attachment.content };
  }
  return {
    ...attachment,
    content: Buffer.from(attachment.content).toString('base64'),
    encoding: 'base64',
  };
}

/** Turns a message or template into its JSON form; the only change is attachment bytes to base64. */
export function toWireMessage<T extends { attachments?: MailAttachment[] }>(
  message: T,
): WireMessage<T> {
  return {
    ...message,
    attachments: message.attachments?.map(toWireAttachment),
  };
}
