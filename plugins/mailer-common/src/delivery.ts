import type { SmtpReply } from './MailDeliveryError';
import type { MailAddress, MailMessage } from './mailMessage';

/** Where a queued message stands. `sent` and `failed` are final. */
export type DeliveryState =
  'queued' | 'sending' | 'sent' | 'retrying' | 'failed';

/** Every delivery state, in the order a message goes through them. */
export const DELIVERY_STATES: readonly DeliveryState[] = [
  'queued',
  'sending',
  'retrying',
  'sent',
  'failed',
];

/**
 * Transactional mail (a password reset, a single notification) goes before
 * bulk mail, whatever was queued first.
 */
export type MailPriority = 'transactional' | 'bulk';

/** The delivery record of one queued message. */
export interface DeliveryStatus {
  id: string;
  campaignId: string;
  state: DeliveryState;
  attempts: number;
  /** The Message-ID header, once sent. */
  messageId?: string;
  /** Recipients the server refused while accepting the message. */
  rejected: string[];
  /** The last SMTP reply that stopped or delayed delivery. */
  lastReply?: SmtpReply;
  createdAt: string;
  updatedAt: string;
  sentAt?: string;
  /** When the next attempt is due, while retrying. */
  nextAttemptAt?: string;
}

/** The body of a mailing: a message without recipients, with `{{name}}` fields. */
export type BulkMailTemplate = Omit<MailMessage, 'to' | 'cc' | 'bcc'>;

/** One recipient of a bulk mailing and the values of its personalised fields. */
export interface BulkRecipient {
  to: MailAddress;
  variables?: Record<string, string>;
}

/** How many messages of a campaign are in each state. */
export interface CampaignSummary {
  campaignId: string;
  createdAt: string;
  createdBy?: string;
  subject: string;
  counts: Record<DeliveryState, number>;
}

/** What the card shows: recent campaigns and recent failures of the tenant. */
export interface DeliverySummary {
  campaigns: CampaignSummary[];
  recentFailures: Array<{
    id: string;
    campaignId: string;
    recipients: string[];
    reply?: SmtpReply;
    failedAt: string;
  }>;
}
