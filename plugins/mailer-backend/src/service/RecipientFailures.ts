import {
  CampaignKind,
  ReplyExplanation,
  SmtpReply,
  SuppressedAddress,
} from '@elixeum/plugin-mailer-common';
import { FailedMessage, RecentFailures } from '../database/RecentFailures';
import { resultKey } from '../database/outboxRows';
import { maskAddress, maskAddressesIn, maskReply } from './maskRecipients';
import { ReplyExplanations } from './ReplyExplanations';
import { SuppressionList } from './SuppressionList';

/** Failed messages looked through, newest first: a few days of a busy tenant's failures. */
export const FAILURES_SEARCHED = 500;

/** One message that did not reach the recipient. */
export interface RecipientFailure {
  id: string;
  campaignId: string;
  state: 'failed' | 'partial';
  subject: string;
  kind: CampaignKind;
  /** The recipient as the reader may see it. */
  recipient: string;
  /** The reply that refused this recipient (else the message's last reply). */
  reply?: SmtpReply;
  explanation?: ReplyExplanation;
  failedAt: string;
}

/** Why mail to one recipient failed, as far as the outbox knows. */
export interface RecipientFailureReport {
  /** Newest first. */
  failures: RecipientFailure[];
  /** How many of the tenant's latest failed messages were looked through. */
  searched: number;
  /** The recipient's entries on the suppression list; only for a whole address. */
  suppressions?: SuppressedAddress[];
}

/** Who to look for: a whole address, or its masked form as the delivery view shows it. */
export type RecipientMatch = { address: string } | { masked: string };

/**
 * Answers "why did mail to this recipient fail": the tenant's recent
 * failures that refused the recipient, with the replies and what they
 * mean, and whether the address is on the suppression list. Addresses and
 * replies are masked, as in the delivery view, unless `reveal`.
 */
export class RecipientFailures {
  constructor(
    private readonly failures: RecentFailures,
    private readonly explanations: ReplyExplanations,
    private readonly suppressions: SuppressionList,
  ) {}

  async of(
    tenantId: string,
    match: RecipientMatch,
    options: { reveal: boolean },
  ): Promise<RecipientFailureReport> {
    const { reveal } = options;
    const recent = await this.failures.of(tenantId, FAILURES_SEARCHED);
    const matches =
      'address' in match
        ? (address: string) => resultKey(address) === resultKey(match.address)
        : (address: string) =>
            maskAddress(address).toLowerCase() === match.masked.toLowerCase();
    const explain = await this.explanations.explainerOf(tenantId);
    const failures = recent.flatMap(message =>
      failuresOf(message, matches).map(({ address, reply }) => {
        const explanation = explain(reply);
        const shown = reveal || !reply ? reply : maskReply(reply);
        return {
          id: message.id,
          campaignId: message.campaignId,
          state: message.state,
          subject: reveal ? message.subject : maskAddressesIn(message.subject),
          kind: message.kind,
          recipient: reveal ? address : maskAddress(address),
          ...(shown && { reply: shown }),
          ...(explanation && { explanation }),
          failedAt: message.failedAt,
        };
      }),
    );
    const report: RecipientFailureReport = {
      failures,
      searched: recent.length,
    };
    if ('address' in match && reveal) {
      const listed = await this.suppressions.page(tenantId, {
        search: match.address,
        limit: 50,
        reveal: true,
      });
      report.suppressions = listed.items.filter(
        item => item.address === resultKey(match.address),
      );
    }
    return report;
  }
}

/** The recipients of a failed message that match and were refused, with their replies. */
function failuresOf(
  message: FailedMessage,
  matches: (address: string) => boolean,
): Array<{ address: string; reply?: SmtpReply }> {
  return message.recipients
    .filter(r => matches(r.address))
    .filter(r => r.state === 'failed' || message.state === 'failed')
    .map(r => ({ address: r.address, reply: r.reply ?? message.reply }));
}
