import { LoggerService } from '@backstage/backend-plugin-api';
import { addressOf, SmtpReply } from '@elixeum/plugin-mailer-common';
import { randomUUID } from 'node:crypto';
import { DeliveryConfig } from '../config';
import {
  ClaimedMessage,
  DeliveryOutcome,
  OutboxStore,
} from '../database/OutboxStore';
import { TenantSettingsService } from '../service/TenantSettingsService';
import { composeMessage, StoredTemplate } from './composeMessage';
import { nextAttemptAt } from './retryPolicy';
import { SmtpTransports, TransportLease } from './SmtpTransports';
import { smtpReplyOf } from './smtpFailure';

/**
 * Delivers the outbox: claims due messages in batches, sends them through
 * the tenants' connection pools, and records every outcome. It claims the
 * next batch while the previous one is still being sent, so the pools never
 * wait on the database. Any number of workers may run on one database.
 */
export class DeliveryWorker {
  private running = false;
  private loop?: Promise<void>;
  private inFlight = 0;
  private wakeUp?: () => void;
  private readonly batches = new Set<Promise<void>>();

  constructor(
    private readonly outbox: OutboxStore,
    private readonly transports: SmtpTransports,
    private readonly settings: TenantSettingsService,
    private readonly config: DeliveryConfig,
    private readonly logger: LoggerService,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming, and waits for what was claimed to be sent and recorded. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.all(this.batches);
  }

  /** Looks for work now, e.g. because mail was just queued on this replica. */
  wake(): void {
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const room = this.config.batchSize * 2 - this.inFlight;
      let claimed: ClaimedMessage[] = [];
      if (room > 0) {
        try {
          claimed = await this.outbox.claim({
            token: randomUUID(),
            limit: Math.min(room, this.config.batchSize),
            leaseMs: this.config.leaseMs,
            now: Date.now(),
            rateLimitOf: tenantId => this.settings.rateLimitOf(tenantId),
          });
        } catch (error) {
          this.logger.error(`Could not claim mail from the outbox: ${error}`);
        }
      }
      if (claimed.length > 0) {
        this.track(this.deliver(claimed));
      } else {
        await this.sleep();
      }
    }
  }

  private track(batch: Promise<void>): void {
    this.batches.add(batch);
    batch.finally(() => this.batches.delete(batch));
  }

  private async deliver(messages: ClaimedMessage[]): Promise<void> {
    this.inFlight += messages.length;
    try {
      const templates = await this.outbox.templates([
        ...new Set(messages.map(m => m.campaignId)),
      ]);
      const byTenant = new Map<string, ClaimedMessage[]>();
      for (const m of messages) {
        const group = byTenant.get(m.tenantId) ?? [];
        group.push(m);
        byTenant.set(m.tenantId, group);
      }
      const outcomes = await Promise.all(
        [...byTenant].map(([tenantId, group]) =>
          this.deliverForTenant(tenantId, group, templates),
        ),
      );
      await this.outbox.record(outcomes.flat(), Date.now());
    } catch (error) {
      // The messages stay claimed until their lease ends, then go out again.
      this.logger.error(
        `Delivery of ${messages.length} messages failed: ${error}`,
      );
    } finally {
      this.inFlight -= messages.length;
      this.wake();
    }
  }

  private async deliverForTenant(
    tenantId: string,
    messages: ClaimedMessage[],
    templates: Map<string, unknown>,
  ): Promise<DeliveryOutcome[]> {
    let lease: TransportLease;
    try {
      lease = await this.transports.acquire(tenantId);
    } catch (error) {
      // E.g. a stored password that no configured key decrypts. Counted as
      // an attempt like any other, so it ends in `failed`, not in a loop.
      const reply = {
        code: 'ESETTINGS',
        response: `The tenant's SMTP settings cannot be used: ${(error as Error).message}`,
      };
      return messages.map(m => this.afterFailure(m, reply));
    }
    try {
      return await Promise.all(
        messages.map(m =>
          this.attempt(lease, templates.get(m.campaignId) as StoredTemplate, m),
        ),
      );
    } finally {
      lease.release();
    }
  }

  private async attempt(
    lease: TransportLease,
    template: StoredTemplate,
    message: ClaimedMessage,
  ): Promise<DeliveryOutcome> {
    try {
      const info = await lease.transport.sendMail(
        composeMessage(template, message, lease.server.from),
      );
      return {
        id: message.id,
        kind: 'sent',
        messageId: info.messageId,
        rejected: (info.rejected ?? []).map(addressOf),
      };
    } catch (error) {
      return this.afterFailure(message, smtpReplyOf(error, lease.server));
    }
  }

  /** Retry later, or give up: the retry policy decides. */
  private afterFailure(
    message: ClaimedMessage,
    reply: SmtpReply,
  ): DeliveryOutcome {
    const at = nextAttemptAt(
      reply,
      message.attempts,
      message.createdAt,
      Date.now(),
      this.config.retry,
    );
    return at === undefined
      ? { id: message.id, kind: 'failed', reply }
      : { id: message.id, kind: 'retry', nextAttemptAt: at, reply };
  }

  /** Waits for the poll interval, or less if `wake` is called. */
  private sleep(): Promise<void> {
    return new Promise(resolve => {
      const timer = setTimeout(() => this.wake(), this.config.pollIntervalMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
    });
  }
}
