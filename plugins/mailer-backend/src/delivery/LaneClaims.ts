import { randomUUID } from 'node:crypto';
import {
  ClaimedMessage,
  DeliveryOutcome,
  OutboxClaims,
} from '../database/OutboxClaims';
import { pendingAddresses } from '../database/outboxRows';
import { RateLimitLedger, TakeResult } from '../database/RateLimitLedger';
import { MailerMetrics } from '../metrics/MailerMetrics';
import { CampaignTemplates } from './CampaignTemplates';
import { ClaimLeases } from './ClaimLeases';
import { DeliveryLane, LaneItem } from './DeliveryLane';
import { ListMail } from './ListMail';

/** What claiming into lanes works with. */
export interface LaneClaimsDeps {
  claims: OutboxClaims;
  ledger: RateLimitLedger;
  templates: CampaignTemplates;
  leases: ClaimLeases;
  leaseMs: number;
  /** Gives messages back that no lane took. */
  release(items: LaneItem[]): void;
  /** Checks each claim against the suppression list; gives list mail its link. */
  lists: ListMail;
  /** The tenant's unsubscribe mailbox, from its settings. */
  unsubscribeMailbox(tenantId: string): Promise<string | undefined>;
  /** Records the outcome of a message that is not sent (its recipients are suppressed). */
  skip(message: ClaimedMessage, outcome: DeliveryOutcome): void;
  /** Told which server each claim goes to, for its outcome's metrics. */
  metrics: MailerMetrics;
  /** The lane's account has no recipients left for the day: pause it until some are free. */
  dayQuotaUsedUp(lane: DeliveryLane, dayFull: DayFull): void;
}

type DayFull = NonNullable<TakeResult['dayFull']>;

/** Of claimed messages, those whose recipients fit what the day has left, in order; and the others. */
function withinRecipients(
  claimed: ClaimedMessage[],
  left: number,
): { fit: ClaimedMessage[]; over: ClaimedMessage[] } {
  let used = 0;
  const fit: ClaimedMessage[] = [];
  for (const [index, message] of claimed.entries()) {
    const count = pendingAddresses(message.recipients, message.results).length;
    if (used + count > left) return { fit, over: claimed.slice(index) };
    used += count;
    fit.push(message);
  }
  return { fit, over: [] };
}

const recipientsOf = (messages: ClaimedMessage[]) =>
  messages.reduce(
    (sum, m) => sum + pendingAddresses(m.recipients, m.results).length,
    0,
  );

/**
 * Claims a tenant's due mail into a lane: within the lane's rate limit and
 * day limit (counted across replicas; a day used up pauses the lane until
 * it frees up), with the bodies of its campaigns, and under a
 * lease from the moment the claim is sent. Between the claim and the lane
 * taking them, the messages are "being claimed": their leases hold, and
 * what the lane refuses (it was paused or retired meanwhile) is given back.
 * Each claim is checked against the suppression list as it is taken:
 * messages with nobody left to send to are recorded, not sent.
 */
export class LaneClaims {
  /** Claims taken and not yet handed to a lane. */
  private readonly claiming = new Set<string>();

  constructor(private readonly deps: LaneClaimsDeps) {}

  /** The claims on their way into a lane. */
  inProgress(): Iterable<string> {
    return this.claiming;
  }

  /** Claims up to `limit` of the tenant's messages into the lane; returns how many. */
  async into(
    lane: DeliveryLane,
    tenantId: string,
    limit: number,
  ): Promise<number> {
    const { leases } = this.deps;
    const token = randomUUID();
    const issuedAt = leases.now();
    this.claiming.add(token);
    try {
      const { messages, over } = await this.claim(lane, tenantId, limit, token);
      const all = [...messages, ...over];
      if (all.length === 0) return 0;
      this.deps.metrics.claimed(lane, all);
      leases.add(token, all.length, issuedAt);
      // Claimed past the day's recipients: back at once, untried.
      this.deps.release(
        over.map(message => ({ message, template: undefined })),
      );
      if (messages.length === 0) return 0;
      let items: LaneItem[];
      try {
        const [templates, screened] = await Promise.all([
          this.deps.templates.get(messages.map(m => m.campaignId)),
          this.deps.unsubscribeMailbox(tenantId).then(unsubscribeMailbox =>
            this.deps.lists.screen(tenantId, messages, {
              from: lane.server.from,
              unsubscribeMailbox,
            }),
          ),
        ]);
        for (const { message, outcome } of screened.skipped) {
          this.deps.skip(message, outcome);
        }
        items = screened.send.map(({ message, list }) => ({
          message,
          template: templates.get(message.campaignId),
          list,
        }));
      } catch (error) {
        this.deps.release(
          messages.map(message => ({ message, template: undefined })),
        );
        throw error;
      }
      this.deps.release(lane.accept(items));
      return messages.length;
    } finally {
      this.claiming.delete(token);
    }
  }

  /**
   * The messages claimed for the lane, and those claimed under the same
   * token that do not fit the day's recipients left (to give back).
   */
  private async claim(
    lane: DeliveryLane,
    tenantId: string,
    limit: number,
    token: string,
  ): Promise<{ messages: ClaimedMessage[]; over: ClaimedMessage[] }> {
    const { claims, ledger, leaseMs } = this.deps;
    const claim = (quota: number, db?: Parameters<OutboxClaims['claim']>[1]) =>
      claims.claim(
        { tenantId, limit: Math.min(limit, quota), token, leaseMs },
        db,
      );
    if (!lane.rateLimitPerMinute && !lane.recipientsPerDay) {
      return { messages: await claim(limit), over: [] };
    }
    let claimed = { fit: [] as ClaimedMessage[], over: [] as ClaimedMessage[] };
    const result = await ledger.take(
      lane.accountKey,
      { perMinute: lane.rateLimitPerMinute, perDay: lane.recipientsPerDay },
      async (allowance, tx) => {
        // Every message has a recipient: no more messages than recipients left.
        const taken = await claim(
          Math.min(allowance.messages, allowance.recipients),
          tx,
        );
        claimed = withinRecipients(taken, allowance.recipients);
        return {
          messages: claimed.fit.length,
          recipients: recipientsOf(claimed.fit),
          dayFull: claimed.over.length > 0,
        };
      },
    );
    if (result.dayFull) this.deps.dayQuotaUsedUp(lane, result.dayFull);
    return { messages: claimed.fit, over: claimed.over };
  }
}
