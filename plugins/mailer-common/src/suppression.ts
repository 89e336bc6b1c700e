/**
 * Why mail to an address is held back: its owner unsubscribed, it bounced
 * for good (`hard-bounce`) or for now (`soft-bounce`, until it expires), its
 * owner marked mail as spam (`complaint`), or an administrator added it.
 *
 * @public
 */
export type SuppressionReason =
  'unsubscribed' | 'hard-bounce' | 'soft-bounce' | 'complaint' | 'admin';

/**
 * Every suppression reason.
 *
 * @public
 */
export const SUPPRESSION_REASONS: readonly SuppressionReason[] = [
  'unsubscribed',
  'hard-bounce',
  'soft-bounce',
  'complaint',
  'admin',
];

/**
 * Why a recipient was skipped, as the delivery record shows it. `list` is
 * the list the address left; absent, it left all of the tenant's bulk mail
 * (or, for a hard bounce, gets no mail at all).
 *
 * @public
 */
export interface RecipientSuppression {
  /** Why. */
  reason: SuppressionReason;
  /** The list it left; absent for all bulk mail. */
  list?: string;
}

/**
 * One address on a tenant's suppression list, as the "Suppressed addresses"
 * card shows it.
 *
 * @public
 */
export interface SuppressedAddress {
  /** In lower case; masked (`a***@example.com`) unless the reader may manage the settings. */
  address: string;
  /** The list it left; absent for all bulk mail. */
  list?: string;
  /** Why. */
  reason: SuppressionReason;
  /** When it was suppressed (last), as an ISO 8601 instant. */
  since: string;
  /** When a temporary suppression (a soft bounce) ends. */
  expiresAt?: string;
  /** The mailing whose unsubscribe link or bounce caused it, if known. */
  campaignId?: string;
}

/**
 * The body of `GET /suppressions`: one page, newest first.
 *
 * @public
 */
export interface SuppressionListResponse {
  /** The page, newest first. */
  items: SuppressedAddress[];
  /** How many match the search, on every page together. */
  total: number;
  /** True when addresses are masked: the reader may not manage the settings. */
  masked: boolean;
}

/**
 * The template field the mailer fills, in mail to a list, with the
 * recipient's own unsubscribe link. A recipient's values may not use it.
 *
 * @public
 */
export const UNSUBSCRIBE_URL_FIELD = 'unsubscribeUrl';

/**
 * The syntax of a list id: 1 to 63 lower-case letters, digits and inner
 * hyphens, like a DNS label, so that it fits the `List-Id` header as it is.
 *
 * @public
 */
export const LIST_ID_PATTERN = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';

const LIST_ID = new RegExp(`^${LIST_ID_PATTERN}$`);

/**
 * Whether `value` can name a list, e.g. `notifications` or `release-news`.
 *
 * @public
 */
export function isListId(value: unknown): value is string {
  return typeof value === 'string' && LIST_ID.test(value);
}
