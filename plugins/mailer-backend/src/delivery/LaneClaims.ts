import { randomUUID } from 'node:crypto';
import {
  ClaimedMessage,
  DeliveryOutcome,
  OutboxClaims,
} from '../database/OutboxClaims';
import { RateLimitLedger } from '../database/RateLimitLedger';
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
}

/**
 * Claims a tenant's due mail into a lane: within the lane's rate limit
 * (counted across replicas), with the bodies of its campaigns, and under a
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
      const messages = await this.claim(lane, tenantId, limit, token);
      if (messages.length === 0) return 0;
      this.deps.metrics.claimed(lane, messages);
      leases.add(token, messages.length, issuedAt);
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

  private async claim(
    lane: DeliveryLane,
    tenantId: string,
    limit: number,
    token: string,
  ): Promise<ClaimedMessage[]> {
    const { claims, ledger, leaseMs } = this.deps;
    const claim = (quota: number, db?: Parameters<OutboxClaims['claim']>[1]) =>
      claims.claim(
        { tenantId, limit: Math.min(limit, quota), token, leaseMs },
        db,
      );
    if (!lane.rateLimitPerMinute) return claim(limit);
    let messages: ClaimedMessage[] = [];
    await ledger.withQuota(
      lane.accountKey,
      lane.rateLimitPerMinute,
      async (quota, tx) => {
        messages = await claim(quota, tx);
        return messages.length;
      },
    );
    return messages;
  }
}
