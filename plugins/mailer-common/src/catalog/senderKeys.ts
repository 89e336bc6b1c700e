import { SMTP_KEYS } from './keys';
import { SettingKeyDefinition } from './types';

/** Who the mail is from, and how fast it may go. */
export const senderKeys: readonly SettingKeyDefinition[] = [
  {
    key: SMTP_KEYS.from,
    label: 'Sender address',
    description:
      'The From address of the mail sent through your server. When not set, the username is used if it is a mail address. Office 365 and Gmail only accept a mailbox the account may send as.',
    type: 'email',
    required: false,
    secret: false,
  },
  {
    key: SMTP_KEYS.fromName,
    label: 'Sender name',
    description: 'The name shown with the sender address, e.g. "Acme Portal".',
    type: 'displayName',
    required: false,
    secret: false,
  },
  {
    key: SMTP_KEYS.replyTo,
    label: 'Reply-to address',
    description:
      'Where replies go when a message does not say otherwise, e.g. a support mailbox.',
    type: 'email',
    required: false,
    secret: false,
  },
  {
    key: SMTP_KEYS.rateLimit,
    label: 'Messages per minute',
    description:
      'The most messages sent through your server per minute, across all portal replicas. Office 365 allows 30 messages a minute and 10,000 recipients a day per mailbox; Gmail about 2,000 a day. When not set, mail is sent as fast as the server accepts it.',
    type: 'positiveInteger',
    required: false,
    secret: false,
  },
  {
    key: SMTP_KEYS.unsubscribeMailbox,
    label: 'Unsubscribe mailbox',
    description:
      'Bulk mail always carries a one-click unsubscribe link that the portal handles itself. Set a mailbox here to offer unsubscribing by email too (a mailto: in List-Unsubscribe); the portal does not read it, so someone must act on what arrives there within two days.',
    type: 'email',
    required: false,
    secret: false,
  },
];
