import { LoggerService } from '@backstage/backend-plugin-api';
import { SmtpReply } from '@elixeum/plugin-mailer-common';
import { ClaimedMessage } from '../database/OutboxClaims';
import { SoftBounces } from '../database/SoftBounces';
import { SuppressionStore } from '../database/SuppressionStore';
import { describeError } from '../errors/describeError';
import { MailerMetrics } from '../metrics/MailerMetrics';
import { BounceKind, bounceKindOf } from '../bounces/bounceKind';
import { enhancedStatusOf } from '../smtp/enhancedStatus';
import { SmtpRecipientRefusal } from '../transport/MailTransport';

const DAY_MS = 24 * 60 * 60_000;

/** When soft bounces suppress an address, and for how long. */
export interface SoftBouncePolicy {
  /** Messages that bounced softly within `windowMs` before the address is suppressed. */
  limit: number;
  windowMs: number;
  /** How long the suppression lasts. */
  suppressMs: number;
}

/**
 * Three messages within a week: a mailbox full for days, not one busy
 * morning; then a week off. The suppression lasts as long as the window,
 * so the bounces that led to it no longer count once it ends.
 */
export const SOFT_BOUNCE_POLICY: SoftBouncePolicy = {
  limit: 3,
  windowMs: 7 * DAY_MS,
  suppressMs: 7 * DAY_MS,
};

/** One recipient's bounce of one message. */
export interface RecipientBounce {
  tenantId: string;
  /** The outbox message that bounced. */
  messageId: string;
  campaignId?: string;
  address: string;
  kind: BounceKind;
  /** What the receiver said; kept with the suppression. */
  reply: SmtpReply;
}

/** Refusals waiting to be applied, at most: beyond, the oldest are logged and let go. */
const MAX_WAITING = 10_000;

/**
 * What bounces do to the suppression list: a hard bounce (no such
 * mailbox, by its enhanced code) suppresses the address for all bulk mail
 * (and, as the suppression list rules, for transactional mail too) after
 * one occurrence; soft bounces (a full mailbox) are counted per message,
 * and enough of them within the window suppress it for a while. Refusals
 * the worker reports while sending are applied here in the background, in
 * order, so that no lane waits for the database.
 */
export class Bounces {
  private readonly waiting: RecipientBounce[] = [];
  private running?: Promise<void>;

  constructor(
    private readonly suppressions: SuppressionStore,
    private readonly softBounces: SoftBounces,
    private readonly logger: LoggerService,
    private readonly policy: SoftBouncePolicy = SOFT_BOUNCE_POLICY,
    private readonly metrics?: Pick<MailerMetrics, 'bounced'>,
  ) {}

  /**
   * The refusals a server gave a message at RCPT TO: those whose enhanced
   * code says something about the mailbox are queued to be applied.
   */
  refused(message: ClaimedMessage, refusals: SmtpRecipientRefusal[]): void {
    for (const refusal of refusals) {
      const kind = bounceKindOf(enhancedStatusOf(refusal.response));
      if (!kind || !refusal.recipient) continue;
      this.waiting.push({
        tenantId: message.tenantId,
        messageId: message.id,
        campaignId: message.campaignId,
        address: refusal.recipient,
        kind,
        reply: {
          responseCode: refusal.responseCode,
          response: refusal.response,
        },
      });
    }
    if (this.waiting.length > MAX_WAITING) {
      const dropped = this.waiting.splice(0, this.waiting.length - MAX_WAITING);
      this.logger.warn(
        `Let go of ${dropped.length} bounces that could not be applied in time; the database may be slow`,
      );
    }
    if (this.waiting.length > 0) this.running ??= this.applyWaiting();
  }

  /** Resolves once every queued refusal has been applied (or failed to be). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Applies one bounce; returns the suppression it led to, if any (a soft
   * bounce below the limit leads to none yet).
   */
  async apply(
    bounce: RecipientBounce,
  ): Promise<'hard-bounce' | 'soft-bounce' | undefined> {
    const { tenantId, address, campaignId } = bounce;
    const detail = bounce.reply.response;
    this.metrics?.bounced(bounce.kind);
    if (bounce.kind === 'hard') {
      await this.suppressions.suppress(tenantId, address, {
        scope: 'all-bulk',
        reason: 'hard-bounce',
        campaignId,
        detail,
      });
      return 'hard-bounce';
    }
    const { limit, windowMs, suppressMs } = this.policy;
    const count = await this.softBounces.record(
      tenantId,
      address,
      bounce.messageId,
      windowMs,
    );
    if (count < limit) return undefined;
    await this.suppressions.suppress(tenantId, address, {
      scope: 'all-bulk',
      reason: 'soft-bounce',
      expiresInMs: suppressMs,
      campaignId,
      detail,
    });
    return 'soft-bounce';
  }

  private async applyWaiting(): Promise<void> {
    try {
      for (let next = this.waiting.shift(); next; next = this.waiting.shift()) {
        try {
          await this.apply(next);
        } catch (error) {
          // The address is not in the log: the tenant and the cause are enough.
          this.logger.warn(
            `Could not apply a ${next.kind} bounce of tenant ${next.tenantId}: ${describeError(error)}`,
          );
        }
      }
    } finally {
      this.running = undefined;
    }
  }
}
