import type { SmtpReply } from './MailDeliveryError';
import type { MailAddress, MailMessage } from './mailMessage';
import type { RecipientSuppression } from './suppression';

/**
 * What a server's reply means, when the portal knows: e.g. that Gmail
 * refused a message because the sender's domain has no DMARC record, and
 * how to fix it.
 *
 * @public
 */
export interface ReplyExplanation {
  /** One sentence saying what the reply means. */
  message: string;
  /** What to do about it. */
  advice: string;
}

/**
 * Where a queued message stands. `sent`, `partial` (delivered to some
 * recipients, refused for good by the others), `failed` and `suppressed`
 * (not sent: every recipient is on the tenant's suppression list, e.g.
 * unsubscribed; not a failure) are final.
 *
 * @public
 */
export type DeliveryState =
  | 'queued'
  | 'sending'
  | 'sent'
  | 'retrying'
  | 'partial'
  | 'failed'
  | 'suppressed';

/**
 * Every delivery state, in the order a message goes through them.
 *
 * @public
 */
export const DELIVERY_STATES: readonly DeliveryState[] = [
  'queued',
  'sending',
  'retrying',
  'sent',
  'partial',
  'failed',
  'suppressed',
];

/**
 * The states after which nothing more happens to a message.
 *
 * @public
 */
export const FINAL_DELIVERY_STATES: readonly DeliveryState[] = [
  'sent',
  'partial',
  'failed',
  'suppressed',
];

/**
 * What happened for one recipient: `sent` (the server accepted it),
 * `failed` (refused for good, 5xx), `deferred` (refused for now, 4xx: tried
 * again later), `suppressed` (not sent: on the tenant's suppression list)
 * or `pending` (not tried yet).
 *
 * @public
 */
export interface RecipientDelivery {
  address: string;
  state: 'pending' | 'sent' | 'deferred' | 'failed' | 'suppressed';
  /** The reply that refused or deferred it. */
  reply?: SmtpReply;
  /** Why it was not sent, when `suppressed`. */
  suppression?: RecipientSuppression;
}

/**
 * Transactional mail (a password reset, a single notification) goes before
 * bulk mail, whatever was queued first.
 *
 * @public
 */
export type MailPriority = 'transactional' | 'bulk';

/**
 * The delivery record of one queued message.
 *
 * @public
 */
export interface DeliveryStatus {
  id: string;
  campaignId: string;
  state: DeliveryState;
  attempts: number;
  /** The Message-ID header, once sent. */
  messageId?: string;
  /** Recipients refused for good (their results say why). */
  rejected: string[];
  /** Each recipient's result. */
  recipients: RecipientDelivery[];
  /** The last SMTP reply that stopped or delayed delivery. */
  lastReply?: SmtpReply;
  /** What `lastReply` means, when the portal knows. */
  explanation?: ReplyExplanation;
  createdAt: string;
  updatedAt: string;
  sentAt?: string;
  /** When the next attempt is due, while retrying. */
  nextAttemptAt?: string;
}

/**
 * The body of a mailing: a message without recipients, with `{{name}}` fields.
 *
 * @public
 */
export type BulkMailTemplate = Omit<MailMessage, 'to' | 'cc' | 'bcc'>;

/**
 * One recipient of a bulk mailing and the values of its personalised fields.
 *
 * @public
 */
export interface BulkRecipient {
  to: MailAddress;
  variables?: Record<string, string>;
}

/**
 * What a campaign is: one transactional message (`single`, from `send`), a
 * mailing to many (`bulk`, whose subject is a template with `{{name}}`
 * fields), or a test email sent from the settings card (`test`).
 *
 * @public
 */
export type CampaignKind = 'single' | 'bulk' | 'test';

/**
 * How many messages of a campaign are in each state.
 *
 * @public
 */
export interface CampaignSummary {
  campaignId: string;
  kind: CampaignKind;
  createdAt: string;
  createdBy?: string;
  /** For a bulk mailing, the template: `{{name}}` fields not filled in. */
  subject: string;
  /** The list it was sent to (bulk mailings). */
  list?: string;
  counts: Record<DeliveryState, number>;
  /** Recipients who unsubscribed through this mailing's link. */
  unsubscribes: number;
}

/**
 * The messages that finished in one hour: `sent` counts those delivered to some recipients too.
 *
 * @public
 */
export interface HourlyDelivery {
  /** The start of the hour (UTC), as an ISO date. */
  hour: string;
  sent: number;
  failed: number;
}

/**
 * The tenant's mail is held back because its server failed as a whole
 * (refused the connection, timed out, refused the login). Nothing fails
 * meanwhile; delivery resumes at `nextAttemptAt`, or at once when the
 * settings change.
 *
 * @public
 */
export interface DeliveryPause {
  /** Whose server: the tenant's own, or the portal's default mailbox. */
  server: 'custom' | 'default';
  since: string;
  nextAttemptAt: string;
  /** How many times in a row it failed. */
  failures: number;
  /** What failed, without secrets. */
  reason: string;
  /** What the tenant can do about it, e.g. which permission to grant. */
  advice?: string;
  reply?: SmtpReply;
}

/**
 * What the delivery view shows: the tenant's recent mailings and test
 * emails, its single messages of the last 24 hours as one line, the last 24
 * hours hour by hour, and recent failures.
 *
 * @public
 */
export interface DeliverySummary {
  /** Set while the tenant's delivery is paused. */
  pause?: DeliveryPause;
  /** Recent bulk mailings and test emails, newest first; single messages are in `singleMessages`. */
  campaigns: CampaignSummary[];
  /** Single (transactional) messages queued since `since` (24 hours ago), by state. */
  singleMessages: { since: string; counts: Record<DeliveryState, number> };
  /** Messages sent and failed in each of the last 24 hours, oldest first; the last is the current hour. */
  hourly: HourlyDelivery[];
  recentFailures: Array<{
    id: string;
    campaignId: string;
    /** The subject of its campaign; for a bulk mailing, the template. */
    subject: string;
    /** Its campaign's kind. */
    kind: CampaignKind;
    recipients: string[];
    reply?: SmtpReply;
    /** What `reply` means, when the portal knows. */
    explanation?: ReplyExplanation;
    failedAt: string;
  }>;
}
