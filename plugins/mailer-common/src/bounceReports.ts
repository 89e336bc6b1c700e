/**
 * One recipient of a delivery status notification, and what the mailer
 * did about it: `suppressed` says which suppression the bounce led to.
 *
 * @public
 */
export interface BounceReportRecipient {
  /** Masked (`a***@example.com`) unless the reader may manage the settings. */
  address: string;
  /** `failed`, `delayed`, `delivered`, `relayed` or `expanded`. */
  action: string;
  /** The enhanced status code, e.g. `5.1.1`. */
  status?: string;
  /** What the receiving server said. */
  diagnostic?: string;
  /** The address was suppressed: at once (`hard-bounce`) or after repeated soft bounces. */
  suppressed?: 'hard-bounce' | 'soft-bounce';
}

/**
 * A delivery status notification (RFC 3464) the mailer received: matched
 * to the message it reports on (whose recipient's result it updated), or
 * kept because it matched none (`unmatched`) or could not be read as one
 * (`unreadable`).
 *
 * @public
 */
export interface BounceReport {
  /** The report's own id, as the mailer keeps it. */
  id: string;
  /** ISO 8601. */
  receivedAt: string;
  /** Matched to its message, matched to none, or not a delivery status notification. */
  outcome: 'matched' | 'unmatched' | 'unreadable';
  /** Why it matched no message, or could not be read. */
  reason?: string;
  /** The outbox message it reports on, when matched. */
  messageId?: string;
  /** The mailing of that message. */
  campaignId?: string;
  /** The Message-ID the report names. */
  originalMessageId?: string;
  /** The server that wrote the report (`Reporting-MTA`). */
  reportingMta?: string;
  /** The notification's subject; masked like addresses. */
  subject?: string;
  /** Each recipient the report is about. */
  recipients: BounceReportRecipient[];
}

/**
 * The body of `GET /bounce-reports`: recent reports, newest first, and
 * how many of those kept (unmatched or unreadable) there are in all.
 *
 * @public
 */
export interface BounceReportsResponse {
  /** The latest reports, newest first. */
  items: BounceReport[];
  /** How many reports are kept unmatched or unreadable, in all. */
  unmatched: number;
  /** True when addresses are masked: the reader may not manage the settings. */
  masked: boolean;
}
