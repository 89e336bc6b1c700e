import {
  UnsubscribeSubject,
  UnsubscribeTokens,
} from '../crypto/UnsubscribeTokens';
import { SuppressionStore } from '../database/SuppressionStore';
import { MailerMetrics } from '../metrics/MailerMetrics';
import { maskAddress } from './maskRecipients';

/** What an unsubscribe link is for, as its page says it. */
export interface UnsubscribeOffer {
  /** Masked: enough for its owner to recognise, nothing for anyone else. */
  address: string;
  listId: string;
}

/** What the recipient leaves: the list of the message, or all bulk mail of the tenant. */
export type UnsubscribeScope = 'list' | 'all-bulk';

/**
 * The recipient's side of one-click unsubscribe: a link's token says who
 * and which list, and an unsubscribe is on the suppression list at once,
 * so the next message claimed for the address is skipped.
 */
export class Unsubscribes {
  constructor(
    private readonly tokens: UnsubscribeTokens,
    private readonly suppressions: Pick<SuppressionStore, 'suppress'>,
    private readonly metrics?: Pick<MailerMetrics, 'unsubscribed'>,
  ) {}

  /** What the link offers, or undefined for a link this mailer did not make. */
  offer(token: string): UnsubscribeOffer | undefined {
    const subject = this.tokens.read(token);
    return (
      subject && {
        address: maskAddress(subject.address),
        listId: subject.listId,
      }
    );
  }

  /**
   * Records the unsubscribe of the link's recipient; false for a link this
   * mailer did not make. Doing it twice changes nothing.
   */
  async unsubscribe(token: string, scope: UnsubscribeScope): Promise<boolean> {
    const subject: UnsubscribeSubject | undefined = this.tokens.read(token);
    if (!subject) return false;
    await this.suppressions.suppress(subject.tenantId, subject.address, {
      scope: scope === 'list' ? { list: subject.listId } : 'all-bulk',
      reason: 'unsubscribed',
      campaignId: subject.campaignId,
    });
    this.metrics?.unsubscribed(scope);
    return true;
  }
}
