import type {
  MailAttachment,
  MailMessage,
} from '@elixeum/plugin-mailer-common';

/** An attachment as it travels in JSON: bytes become base64 text. */
export type WireAttachment = Omit<MailAttachment, 'content'> & {
  content: string;
};

/** A message as it travels in JSON to the mailer backend. */
export type WireMailMessage = Omit<MailMessage, 'attachments'> & {
  attachments?: WireAttachment[];
};

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

/** Turns a message into its JSON form; the only change is attachment bytes to base64. */
export function toWireMessage(message: MailMessage): WireMailMessage {
  if (!message.attachments) return message as WireMailMessage;
  return { ...message, attachments: message.attachments.map(toWireAttachment) };
}
