import { LoggerService } from '@backstage/backend-plugin-api';
import { SmtpReply } from '@elixeum/plugin-mailer-common';
import { setTimeout as delay } from 'node:timers/promises';
import { DeliveryPauses } from '../database/DeliveryPauses';
import {
  ClaimedMessage,
  DeliveryOutcome,
  OutboxClaims,
} from '../database/OutboxClaims';
import { RecipientResults } from '../database/outboxRows';
import { RateLimitLedger } from '../database/RateLimitLedger';
import { describeError } from '../errors/describeError';
import { MailerMetrics } from '../metrics/MailerMetrics';
import { explainSmtpFailure } from '../smtp/classifySmtpFailure';
import { SmtpFailure } from '../smtp/readSmtpFailure';
import { SmtpRecipientRefusal } from '../transport/MailTransport';
import { CampaignTemplates } from './CampaignTemplates';
import { ClaimLeases } from './ClaimLeases';
import { messageIdOf } from './composeMessage';
import { DeliveryLane, LaneItem } from './DeliveryLane';
import { LaneClaims } from './LaneClaims';
import { ListMail, unsubscribeMailboxIn } from './ListMail';
import { DeliveryLanes, DeliveryLanesEvents } from './DeliveryLanes';
import { giveUp } from './deliveryOutcome';
import { OutcomeRecorder } from './OutcomeRecorder';
import { settledOrAfter } from './settledOrAfter';
import { ServerPauses } from './ServerPauses';

/** The code of a pause for a day's recipients used up (not a failure of the server). */
const DAY_LIMIT_CODE = 'EDAYLIMIT';

/** How the worker paces itself; every field comes from `mailer.delivery`. */
export interface DeliveryWorkerConfig {
  /** How often it looks for mail queued by other replicas. */
  pollIntervalMs: number;
  /** A claimed message whose worker died is taken again after this. */
  leaseMs: number;
  maxAttempts: number;
  /** A message older than this is failed instead of given back when its server fails. */
  maxAgeMs: number;
  /** The first pause of a failing server; doubles with each failure in a row. */
  pauseInitialMs: number;
  pauseMaxMs: number;
  /** How long stopping may wait for messages on the wire. */
  shutdownTimeoutMs: number;
  /** Outcomes are written at once when mail trickles, at most this often when it floods. */
  recordIntervalMs: number;
}

/** What the worker works with. */
export interface DeliveryWorkerDeps {
  claims: OutboxClaims;
  templates: CampaignTemplates;
  pauses: DeliveryPauses;
  ledger: RateLimitLedger;
  /** Builds the lanes, given the events the worker handles. */
  lanes: (events: DeliveryLanesEvents) => DeliveryLanes;
  config: DeliveryWorkerConfig;
  logger: LoggerService;
  /** Called with the ids of messages whose outcome was just written. */
  onRecorded?: (ids: string[]) => void;
  /** The suppression list and unsubscribe links, applied to every claim. */
  lists: ListMail;
  /** Told of the recipients servers refused at RCPT TO, to suppress those that bounced (off the sending path). */
  bounces?: {
    refused(message: ClaimedMessage, refusals: SmtpRecipientRefusal[]): void;
  };
  /** Counts each recorded outcome; reads the lanes' connections. */
  metrics: MailerMetrics;
}

/**
 * Delivers the outbox. Each lane (server) is fed from a small window of
 * claimed messages; the worker claims for every lane with room, fairly
 * between the tenants that share a lane, records each outcome as soon as it
 * is known, keeps the leases of what it holds, pauses servers that fail as
 * a whole, and gives back what it has not started when it stops. Any number
 * of workers may run on one database.
 *
 * Every claimed message is, at any time, in exactly one of: being claimed
 * (between the claim and the lane taking it), a lane (waiting or on the
 * wire), or the recorder (its outcome not yet written). Only those have
 * their leases extended; a message that is in none is a bug, and its lease
 * runs out so another worker sends it.
 */
export class DeliveryWorker {
  private running = false;
  private loop?: Promise<void>;
  private wakeRequested = false;
  private wakeUp?: () => void;
  /** Tenants that may have due mail. */
  private readonly tenants = new Set<string>();
  private rotation = 0;
  private discoveredAt = 0;
  private sweepTimer?: NodeJS.Timeout;
  private readonly recorder: OutcomeRecorder;
  private readonly leases: ClaimLeases;
  private readonly lanes: DeliveryLanes;
  private readonly pauses: ServerPauses;
  private readonly laneClaims: LaneClaims;
  private readonly config: DeliveryWorkerConfig;
  private readonly logger: LoggerService;

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.config = deps.config;
    this.logger = deps.logger;
    this.leases = new ClaimLeases(
      deps.claims,
      this.config.leaseMs,
      this.logger,
      () => this.heldClaims(),
    );
    this.recorder = new OutcomeRecorder(
      deps.claims,
      this.config.recordIntervalMs,
      this.logger,
      {
        recorded: recorded => this.afterRecorded(recorded),
        lost: messages => messages.forEach(m => this.leases.done(m.token)),
      },
    );
    this.pauses = new ServerPauses(deps.pauses, this.config, this.logger, () =>
      this.wake(),
    );
    this.laneClaims = new LaneClaims({
      ...deps,
      leases: this.leases,
      leaseMs: this.config.leaseMs,
      release: items => this.release(items, 0),
      skip: (message, outcome) => this.recorder.add(message, outcome),
      unsubscribeMailbox: tenantId =>
        this.lanes.snapshotOf(tenantId).then(unsubscribeMailboxIn),
      dayQuotaUsedUp: (lane, dayFull) => this.onDayQuotaUsedUp(lane, dayFull),
    });
    this.lanes = deps.lanes({
      outcome: (message, outcome) => this.recorder.add(message, outcome),
      serverFailure: (lane, message, failure, results) =>
        this.onServerFailure(lane, message, failure, results),
      serverWorks: lane => this.onServerWorks(lane),
      refused: (message, refusals) =>
        this.deps.bounces?.refused(message, refusals),
      room: () => this.wake(),
      stillHeld: message => this.leases.holds(message.token),
      dropped: message => this.leases.done(message.token),
      retired: (_lane, waiting) => this.release(waiting, 0),
    });
    deps.metrics.watchLanes(() => this.lanes.all());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.leases.start();
    // Cheap (a partial index of claimed rows), so every few polls.
    const sweepEvery = Math.min(
      this.config.pollIntervalMs * 5,
      Math.floor(this.config.leaseMs / 4),
    );
    this.sweepTimer = setInterval(() => void this.sweep(), sweepEvery);
    this.sweepTimer.unref();
    this.loop = this.run();
  }

  /** Looks for work now, e.g. because `tenantId` just queued mail on this replica. */
  wake(tenantId?: string): void {
    if (tenantId !== undefined) this.tenants.add(tenantId);
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  /** A tenant's settings changed on this replica: use them from the next message on. */
  settingsChanged(tenantId: string): void {
    this.lanes.forgetSnapshot(tenantId);
    this.wake(tenantId);
  }

  /**
   * Stops: claims nothing more, gives back at once what was claimed but not
   * started (on every lane, retired ones included), waits up to the
   * shutdown timeout for messages on the wire, and records every outcome it
   * has. Messages still on the wire after the timeout stay claimed; another
   * replica sends them after their lease.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    const deadline = Date.now() + this.config.shutdownTimeoutMs;
    this.running = false;
    clearInterval(this.sweepTimer);
    this.pauses.stop();
    this.wake();
    await this.loop;
    const lanes = this.lanes.all();
    for (const lane of lanes) this.release(lane.takeWaiting(), 0);
    await settledOrAfter(
      Promise.all(lanes.map(lane => lane.drained())),
      Math.max(0, deadline - Date.now()),
    );
    await this.recorder.flush(Math.max(0, deadline - Date.now()));
    this.recorder.stop();
    this.leases.stop();
    this.lanes.stop();
    for (const lane of this.lanes.all()) lane.destroy();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.wakeRequested = false;
      try {
        await this.refill();
      } catch (error) {
        this.logger.error(
          `Could not claim mail from the outbox: ${describeError(error)}`,
        );
        await delay(this.config.pollIntervalMs);
      }
      if (!this.wakeRequested) await this.sleep();
    }
  }

  /** Claims mail for every lane with room, tenant by tenant. */
  private async refill(): Promise<void> {
    const now = Date.now();
    if (now - this.discoveredAt >= this.config.pollIntervalMs) {
      this.discoveredAt = now;
      for (const tenant of await this.deps.claims.tenantsWithWaitingMail()) {
        this.tenants.add(tenant);
      }
    }
    await this.pauses.refreshIfDue();
    const tenants = [...this.tenants];
    // Start with a different tenant each time, so that none always goes last.
    this.rotation = (this.rotation + 1) % Math.max(1, tenants.length);
    const ordered = [
      ...tenants.slice(this.rotation),
      ...tenants.slice(0, this.rotation),
    ];
    // Every lane handed out here stays reserved until this refill is done
    // with it, so no lane is retired between being chosen and claimed for.
    const byLane = new Map<DeliveryLane, string[]>();
    try {
      for (const tenantId of ordered) {
        if (!this.running) return;
        const lane = await this.laneReadyFor(tenantId);
        if (!lane) continue;
        // Reserved once per lane, however many of its tenants have mail.
        const laneTenants = byLane.get(lane);
        if (laneTenants) {
          this.lanes.unreserve(lane);
          laneTenants.push(tenantId);
        } else {
          byLane.set(lane, [tenantId]);
        }
      }
      for (const [lane, laneTenants] of byLane) {
        if (!lane.wantsMore) continue;
        // Tenants on one lane (the default mailbox) share its window.
        const share = Math.max(1, Math.ceil(lane.room / laneTenants.length));
        for (const tenantId of laneTenants) {
          if (!this.running) return;
          const limit = Math.min(share, lane.room);
          if (limit <= 0) break;
          const claimed = await this.laneClaims.into(lane, tenantId, limit);
          if (claimed < limit && !lane.rateLimitPerMinute) {
            this.tenants.delete(tenantId);
          }
        }
      }
    } finally {
      for (const lane of byLane.keys()) this.lanes.unreserve(lane);
    }
  }

  /**
   * The lane to claim for, reserved, or undefined while its server is
   * paused or unusable, or while every lane place is taken.
   */
  private async laneReadyFor(
    tenantId: string,
  ): Promise<DeliveryLane | undefined> {
    const snapshot = await this.lanes.snapshotOf(tenantId);
    const key = this.lanes.keyOf(tenantId, snapshot);
    const pause = this.pauses.of(key);
    if (this.pauses.inForce(pause)) return undefined;
    let lane: DeliveryLane | undefined;
    try {
      lane = this.lanes.laneFor(tenantId, snapshot);
    } catch (error) {
      // E.g. a stored password that no configured key decrypts: the tenant
      // waits (and the card says why) instead of failing its mail.
      await this.pauses.pause(key, tenantId, {
        reason: `The tenant's SMTP settings cannot be used: ${(error as Error).message}`,
        advice:
          'Enter the secret settings (password, client secret, private key or refresh token) again and save; if that does not help, ask the portal operator whether the encryption keys changed.',
        reply: { code: 'ESETTINGS' },
      });
      return undefined;
    }
    if (!lane) return undefined;
    // A used-up day has nothing to probe: each claim asks the ledger again.
    if (pause?.reply?.code === DAY_LIMIT_CODE) this.pauses.resume(key);
    else if (pause) lane.probe();
    else if (lane.isPaused) lane.open();
    return lane;
  }

  /** Gives messages back without counting an attempt, due again after `delayMs`. */
  private release(items: LaneItem[], delayMs: number): void {
    for (const { message } of items) {
      this.recorder.add(message, { kind: 'released', id: message.id, delayMs });
    }
  }

  /**
   * Gives a message back after its server failed, keeping what its
   * recipients got: due again after `delayMs`, or failed with the server's
   * reply once it is older than `maxAge` (a server that fails for days must
   * not hold mail forever).
   */
  private giveBack(
    lane: DeliveryLane,
    message: ClaimedMessage,
    results: RecipientResults,
    delayMs: number,
    reply: SmtpReply,
  ): void {
    const tooOld = message.claimedAt - message.createdAt > this.config.maxAgeMs;
    this.recorder.add(
      message,
      tooOld
        ? giveUp(
            message,
            results,
            reply,
            messageIdOf(message.id, lane.server.from),
          )
        : { kind: 'released', id: message.id, delayMs, reply, results },
    );
  }

  private onServerFailure(
    lane: DeliveryLane,
    message: ClaimedMessage,
    failure: SmtpFailure,
    results: RecipientResults,
  ): void {
    const explained = explainSmtpFailure(failure, lane.server);
    const reply: SmtpReply = {
      code: failure.code,
      responseCode: failure.responseCode,
      response: explained.message,
    };
    const wasPaused = lane.isPaused;
    const waiting = lane.pause();
    const { pauseInitialMs } = this.config;
    // Due after the pause ends and a probe has gone: if this message was the
    // cause, another one finds out that the server works.
    this.giveBack(lane, message, results, pauseInitialMs * 2, reply);
    for (const item of waiting) {
      const { message: next } = item;
      this.giveBack(lane, next, next.results, pauseInitialMs, reply);
    }
    if (wasPaused) return;
    void this.pauses.pause(
      lane.key,
      lane.tenantId,
      { reason: explained.message, advice: explained.advice, reply },
      failure.retryAfterMs,
    );
  }

  /**
   * The lane's account has sent to as many recipients in the last 24 hours
   * as its provider allows: it pauses, on every replica, until the first of
   * them are a day old. Nothing failed, and nothing is given back.
   */
  private onDayQuotaUsedUp(
    lane: DeliveryLane,
    dayFull: { until: number; forMs: number },
  ): void {
    if (this.pauses.inForce(this.pauses.of(lane.key))) return;
    const limit = (lane.recipientsPerDay ?? 0).toLocaleString('en-US');
    void this.pauses.pause(
      lane.key,
      lane.tenantId,
      {
        reason: `The day's limit of ${limit} recipients through ${lane.server.auth?.user ?? lane.server.from} is used up: mail waits until ${new Date(dayFull.until).toISOString()}, when the first of them are 24 hours old.`,
        advice:
          'Nothing failed and nothing is lost. If your provider allows more, raise SMTP.DailyLimit (Exchange Online: 10,000 recipients a day per mailbox; Google Workspace: 2,000 a day); otherwise spread large mailings over several days, or send them through another mailbox.',
        reply: { code: DAY_LIMIT_CODE },
      },
      dayFull.forMs,
    );
  }

  private onServerWorks(lane: DeliveryLane): void {
    lane.open();
    if (!this.pauses.of(lane.key)) return;
    this.pauses.resume(lane.key);
    this.wake();
  }

  /** The claims whose leases are still worth extending. */
  private heldClaims(): Set<string> {
    const held = this.lanes.heldClaims();
    for (const token of this.laneClaims.inProgress()) held.add(token);
    for (const token of this.recorder.pendingClaims()) held.add(token);
    return held;
  }

  private afterRecorded(
    recorded: Array<{ message: ClaimedMessage; outcome: DeliveryOutcome }>,
  ): void {
    const final: string[] = [];
    for (const { message, outcome } of recorded) {
      this.leases.done(message.token);
      this.deps.metrics.recorded(message, outcome);
      if (
        outcome.kind === 'delivered' ||
        outcome.kind === 'failed' ||
        outcome.kind === 'suppressed'
      ) {
        final.push(outcome.id);
      }
    }
    if (final.length > 0) this.deps.onRecorded?.(final);
  }

  /** Gives back messages whose worker died or hung, or fails them after too many tries. */
  private async sweep(): Promise<void> {
    try {
      const { requeued, failed } = await this.deps.claims.reclaimExpired(
        this.config.maxAttempts,
      );
      this.deps.metrics.interrupted(failed);
      if (requeued > 0 || failed > 0) {
        this.logger.warn(
          `Took back ${requeued} messages whose delivery was interrupted (lease ran out); failed ${failed} that were interrupted too often`,
        );
        this.discoveredAt = 0;
        this.wake();
      }
    } catch (error) {
      this.logger.warn(
        `Could not take back expired claims: ${describeError(error)}`,
      );
    }
  }

  /** Waits for the poll interval, or less if `wake` is called. */
  private sleep(): Promise<void> {
    return new Promise(resolve => {
      const timer = setTimeout(done, this.config.pollIntervalMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }
}
