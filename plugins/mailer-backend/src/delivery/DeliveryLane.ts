import { ClaimedMessage, DeliveryOutcome } from '../database/OutboxClaims';
import { RecipientResults } from '../database/outboxRows';
import { SmtpFailure } from '../smtp/readSmtpFailure';
import { SmtpServerSettings } from '../smtp/SmtpServerSettings';
import {
  MailTransport,
  SmtpRecipientRefusal,
} from '../transport/MailTransport';
import {
  AttemptEnd,
  attemptDelivery,
  unexpectedFailure,
} from './attemptDelivery';
import { StoredTemplate } from './composeMessage';
import { ListLink } from './listHeaders';
import { RetryPolicy } from './retryPolicy';

/** The longest turn a lane sends for while other tenants wait for a place. */
const TURN_MS = 5000;

/** A claimed message with the body of its campaign (undefined if that is gone). */
export interface LaneItem {
  message: ClaimedMessage;
  template: StoredTemplate | undefined;
  /** Its list and unsubscribe link, when it is list mail. */
  list?: ListLink;
}

/** What a lane reports to the worker that feeds it. */
export interface LaneEvents {
  /** A message's outcome is known: record it. */
  outcome(message: ClaimedMessage, outcome: DeliveryOutcome): void;
  /**
   * The server failed as a whole; the message was not at fault. `results`
   * holds what its recipients got before the failure.
   */
  serverFailure(
    lane: DeliveryLane,
    message: ClaimedMessage,
    failure: SmtpFailure,
    results: RecipientResults,
  ): void;
  /** The server refused these recipients of a message at RCPT TO: bounces to weigh. */
  refused(message: ClaimedMessage, refusals: SmtpRecipientRefusal[]): void;
  /** A message was sent successfully: a paused server works again. */
  serverWorks(lane: DeliveryLane): void;
  /** The lane has room for more messages. */
  room(lane: DeliveryLane): void;
  /** Whether the claim a message belongs to is still ours to send. */
  stillHeld(message: ClaimedMessage): boolean;
  /** A message is not sent because its claim may have run out; another worker takes it. */
  dropped(message: ClaimedMessage): void;
  /** Nothing is waiting or being sent any more. */
  idle(lane: DeliveryLane): void;
}

/**
 * One server as the outbox sees it (a tenant's own server with one version
 * of its settings, or the default mailbox): its connection pool, fed from a
 * small window of claimed messages, so a slow or hung server never holds
 * more than `window` rows. While the lane is paused (its server failed) it
 * sends nothing; while probing it sends one message to see if it works.
 * A retired lane takes nothing more and closes once what it sends is done.
 */
export class DeliveryLane {
  private readonly waiting: LaneItem[] = [];
  private readonly inFlight = new Set<LaneItem>();
  private mode: 'open' | 'paused' | 'probing' = 'open';
  private retiredAt?: number;
  /** Whether the last message the server answered went through: see `blameServer`. */
  private serverWorkedLastTime = false;
  /** Tenants whose mail goes through this lane. */
  readonly tenants = new Set<string>();
  /** Refills that handed this lane out and have not claimed for it yet. */
  reservations = 0;
  lastUsed = Date.now();
  /** Messages it has finished (sent or not), and when it started sending. */
  finished = 0;
  firstSentAt?: number;

  constructor(
    /** Identifies the server and the version of its settings. */
    readonly key: string,
    /** Who its rate limit counts for. */
    readonly accountKey: string,
    /** The tenant whose own server it is; undefined for the default mailbox. */
    readonly tenantId: string | undefined,
    readonly rateLimitPerMinute: number | undefined,
    /** Recipients a day through its account, counted across replicas like the rate limit. */
    readonly recipientsPerDay: number | undefined,
    private readonly pool: MailTransport,
    private readonly window: number,
    private readonly retry: RetryPolicy,
    private readonly events: LaneEvents,
  ) {}

  /** How many more messages it takes now. */
  get room(): number {
    if (this.mode === 'paused' || this.isRetired) return 0;
    const limit = this.mode === 'probing' ? 1 : this.window;
    return Math.max(0, limit - this.load);
  }

  /**
   * Whether to claim for it now: when three quarters of its window are free
   * (or it is empty), so that claims come in batches rather than one per
   * message sent: each claim is a commit, and a lane of one connection
   * claimed 10 at a time where it now claims 15. The quarter left keeps
   * its connections busy while the claim runs.
   */
  get wantsMore(): boolean {
    const room = this.room;
    if (room === 0) return false;
    return this.load === 0 || room >= Math.ceil((this.window * 3) / 4);
  }

  /**
   * Whether it has had its turn, when tenants wait for a place: two windows
   * of messages, or a few seconds of sending (a slow or rate-limited server).
   */
  get hadItsTurn(): boolean {
    return (
      this.finished >= 2 * this.window ||
      (this.firstSentAt !== undefined &&
        Date.now() - this.firstSentAt >= TURN_MS)
    );
  }

  /** Messages waiting or being sent. */
  get load(): number {
    return this.waiting.length + this.inFlight.size;
  }

  /** The server it sends through. */
  get server(): SmtpServerSettings {
    return this.pool.server;
  }

  /** Connections its transport holds open, for the metrics. */
  get openConnections(): number {
    return this.pool.openConnections ?? 0;
  }

  get isPaused(): boolean {
    return this.mode === 'paused';
  }

  get isRetired(): boolean {
    return this.retiredAt !== undefined;
  }

  /** The claims of every message it holds, waiting or on the wire. */
  heldClaims(): string[] {
    return [...this.waiting, ...this.inFlight].map(item => item.message.token);
  }

  /**
   * Takes claimed messages; transactional mail goes ahead of bulk mail
   * already waiting. Returns the messages it cannot take (it was paused or
   * retired meanwhile): the caller gives them back.
   */
  accept(items: LaneItem[]): LaneItem[] {
    if (this.isRetired || this.mode === 'paused') return items;
    for (const item of items) {
      const at = this.waiting.findIndex(
        w => w.message.priority > item.message.priority,
      );
      if (at < 0) this.waiting.push(item);
      else this.waiting.splice(at, 0, item);
    }
    this.lastUsed = Date.now();
    this.pump();
    return [];
  }

  /** Stops sending: the server failed. Returns the messages that were waiting. */
  pause(): LaneItem[] {
    this.mode = 'paused';
    this.serverWorkedLastTime = false;
    return this.waiting.splice(0);
  }

  /** After a pause: send one message to see whether the server works again. */
  probe(): void {
    if (this.mode !== 'paused') return;
    this.mode = 'probing';
    this.pump();
  }

  /** The server works: full speed. */
  open(): void {
    if (this.isRetired) return;
    this.mode = 'open';
    this.pump();
  }

  /**
   * Takes nothing more and closes its pool: idle connections now, the
   * others when their message is done. Returns the messages that were
   * waiting, to be given back.
   */
  retire(): LaneItem[] {
    if (this.retiredAt === undefined) this.retiredAt = Date.now();
    this.pool.close();
    const waiting = this.waiting.splice(0);
    this.notifyIfIdle();
    return waiting;
  }

  /** Gives up the messages not yet started (the backend stops). */
  takeWaiting(): LaneItem[] {
    return this.waiting.splice(0);
  }

  /** Resolves when nothing is being sent any more. */
  async drained(): Promise<void> {
    while (this.inFlight.size > 0) {
      await new Promise(resolve => setTimeout(resolve, 10));
    }
  }

  /** Drops every connection at once. */
  destroy(): void {
    this.pool.destroy();
  }

  private pump(): void {
    while (
      this.mode !== 'paused' &&
      !this.isRetired &&
      this.pool.hasRoom &&
      this.waiting.length
    ) {
      if (this.mode === 'probing' && this.inFlight.size > 0) return;
      const item = this.waiting.shift()!;
      if (!this.events.stillHeld(item.message)) {
        this.events.dropped(item.message);
        continue;
      }
      this.inFlight.add(item);
      this.lastUsed = Date.now();
      this.firstSentAt ??= this.lastUsed;
      attemptDelivery(item.message, item.template, {
        transport: this.pool,
        retry: this.retry,
        blameServer: !this.serverWorkedLastTime,
        stillHeld: () => this.events.stillHeld(item.message),
        list: item.list,
      })
        .catch((error): AttemptEnd => ({
          outcome: unexpectedFailure(
            item.message,
            item.message.results,
            this.pool.server.from,
            this.retry,
            error,
          ),
        }))
        .then(end => this.finish(item, end));
    }
    this.notifyIfIdle();
  }

  private finish(item: LaneItem, end: AttemptEnd): void {
    this.inFlight.delete(item);
    this.lastUsed = Date.now();
    this.finished += 1;
    if (end.refused?.length) this.events.refused(item.message, end.refused);
    if ('serverFailure' in end) {
      this.serverWorkedLastTime = false;
      this.events.serverFailure(
        this,
        item.message,
        end.serverFailure,
        end.results,
      );
    } else {
      this.serverWorkedLastTime = true;
      if (this.mode !== 'open' && !this.isRetired) {
        this.events.serverWorks(this);
      }
      this.events.outcome(item.message, end.outcome);
    }
    this.pump();
    if (this.wantsMore) this.events.room(this);
  }

  private notifyIfIdle(): void {
    if (this.load === 0) this.events.idle(this);
  }
}
