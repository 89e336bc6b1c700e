import MailComposer from 'nodemailer/lib/mail-composer';
import { ClaimedMessage, DeliveryOutcome } from '../database/OutboxClaims';
import { pendingAddresses } from '../database/outboxRows';
import { readSmtpFailure, SmtpFailure } from '../smtp/readSmtpFailure';
import { MailTransport } from '../smtp/MailTransport';
import { SmtpServerSettings } from '../smtp/SmtpServerSettings';
import { composeMessage, messageIdOf, StoredTemplate } from './composeMessage';
import { firstRefusal, markAll, mergeAttempt, settle } from './deliveryOutcome';
import { failureScope } from './failureScope';
import { RetryPolicy } from './retryPolicy';

/** A claimed message with the body of its campaign (undefined if that is gone). */
export interface LaneItem {
  message: ClaimedMessage;
  template: StoredTemplate | undefined;
}

/** What a lane reports to the worker that feeds it. */
export interface LaneEvents {
  /** A message's outcome is known: record it. */
  outcome(message: ClaimedMessage, outcome: DeliveryOutcome): void;
  /** The server failed as a whole; the message was not at fault. */
  serverFailure(
    lane: DeliveryLane,
    message: ClaimedMessage,
    failure: SmtpFailure,
  ): void;
  /** A message was sent successfully: a paused server works again. */
  serverWorks(lane: DeliveryLane): void;
  /** The lane has room for more messages. */
  room(lane: DeliveryLane): void;
  /** Whether the claim a message belongs to is still ours to send. */
  stillHeld(message: ClaimedMessage): boolean;
  /** A message is not sent because its claim may have run out; another worker takes it. */
  dropped(message: ClaimedMessage): void;
}

type AttemptEnd = { outcome: DeliveryOutcome } | { serverFailure: SmtpFailure };

/**
 * One server as the outbox sees it (a tenant's own server with one version
 * of its settings, or the default mailbox): its connection pool, fed from a
 * small window of claimed messages, so a slow or hung server never holds
 * more than `window` rows. While the lane is paused (its server failed) it
 * sends nothing; while probing it sends one message to see if it works.
 */
export class DeliveryLane {
  private readonly waiting: LaneItem[] = [];
  private sending = 0;
  private mode: 'open' | 'paused' | 'probing' = 'open';
  /** Tenants whose mail goes through this lane. */
  readonly tenants = new Set<string>();
  lastUsed = Date.now();

  constructor(
    /** Identifies the server and the version of its settings. */
    readonly key: string,
    /** Who its rate limit counts for. */
    readonly accountKey: string,
    /** The tenant whose own server it is; undefined for the default mailbox. */
    readonly tenantId: string | undefined,
    readonly rateLimitPerMinute: number | undefined,
    private readonly pool: MailTransport,
    private readonly window: number,
    private readonly retry: RetryPolicy,
    private readonly events: LaneEvents,
  ) {}

  /** How many more messages it takes now. */
  get room(): number {
    if (this.mode === 'paused') return 0;
    const limit = this.mode === 'probing' ? 1 : this.window;
    return Math.max(0, limit - this.waiting.length - this.sending);
  }

  /**
   * Whether to claim for it now: when half its window is free (or it is
   * empty), so that claims come in batches rather than one per message sent.
   */
  get wantsMore(): boolean {
    const room = this.room;
    if (room === 0) return false;
    return this.load === 0 || room >= Math.ceil(this.window / 2);
  }

  /** Messages waiting or being sent. */
  get load(): number {
    return this.waiting.length + this.sending;
  }

  /** The server it sends through. */
  get server(): SmtpServerSettings {
    return this.pool.server;
  }

  get isPaused(): boolean {
    return this.mode === 'paused';
  }

  /** Takes claimed messages; transactional mail goes ahead of bulk mail already waiting. */
  accept(items: LaneItem[]): void {
    for (const item of items) {
      const at = this.waiting.findIndex(
        w => w.message.priority > item.message.priority,
      );
      if (at < 0) this.waiting.push(item);
      else this.waiting.splice(at, 0, item);
    }
    this.lastUsed = Date.now();
    this.pump();
  }

  /** Stops sending: the server failed. Returns the messages that were waiting. */
  pause(): LaneItem[] {
    this.mode = 'paused';
    return this.waiting.splice(0);
  }

  /** After a pause: send one message to see whether the server works again. */
  probe(): void {
    if (this.mode === 'paused') this.mode = 'probing';
  }

  /** The server works: full speed. */
  open(): void {
    this.mode = 'open';
    this.pump();
  }

  /** Gives up the messages not yet started (the backend stops, the settings changed). */
  takeWaiting(): LaneItem[] {
    return this.waiting.splice(0);
  }

  /** Resolves when nothing is being sent any more. */
  async drained(): Promise<void> {
    while (this.sending > 0) {
      await new Promise(resolve => setTimeout(resolve, 10));
    }
  }

  /** Closes the pool: idle connections now, the others when their message is done. */
  close(): void {
    this.pool.close();
  }

  /** Drops every connection at once. */
  destroy(): void {
    this.pool.destroy();
  }

  private pump(): void {
    while (this.mode !== 'paused' && this.pool.hasRoom && this.waiting.length) {
      if (this.mode === 'probing' && this.sending > 0) return;
      const item = this.waiting.shift()!;
      if (!this.events.stillHeld(item.message)) {
        this.events.dropped(item.message);
        continue;
      }
      this.sending += 1;
      this.lastUsed = Date.now();
      this.attempt(item)
        .catch(error => this.unexpected(item, error))
        .then(end => this.finish(item, end));
    }
  }

  private finish(item: LaneItem, end: AttemptEnd): void {
    this.sending -= 1;
    this.lastUsed = Date.now();
    if ('serverFailure' in end) {
      this.events.serverFailure(this, item.message, end.serverFailure);
    } else {
      if (this.mode !== 'open') this.events.serverWorks(this);
      this.events.outcome(item.message, end.outcome);
    }
    this.pump();
    if (this.wantsMore) this.events.room(this);
  }

  /** A bug must not strand a message: it fails alone, with what went wrong. */
  private unexpected(item: LaneItem, error: unknown): AttemptEnd {
    const reply = {
      code: 'EINTERNAL',
      response: `Delivery failed unexpectedly: ${(error as Error)?.name ?? 'error'}`,
    };
    const { message } = item;
    const pending = pendingAddresses(message.recipients, message.results);
    return {
      outcome: settle(
        message,
        markAll(message.results, pending, 'failed', reply),
        reply,
        messageIdOf(message.id, this.pool.server.from),
        this.retry,
      ),
    };
  }

  /**
   * One attempt at a message. Recipients a server refuses with 452 (too many
   * recipients) while accepting others get a new transaction at once, as
   * SMTP asks.
   */
  private async attempt(item: LaneItem): Promise<AttemptEnd> {
    const { message, template } = item;
    const server = this.pool.server;
    const messageId = messageIdOf(message.id, server.from);
    let results = message.results;
    let envelopeTo = pendingAddresses(message.recipients, results);
    let compiled: ReturnType<MailComposer['compile']>;
    try {
      if (message.unreadable) throw new Error(message.unreadable);
      if (!template) throw new Error('its body is gone or cannot be read');
      compiled = new MailComposer(
        composeMessage(template, message, server, envelopeTo),
      ).compile();
      // Graph reads the recipients from the headers: Bcc must be in them.
      compiled.keepBcc = this.pool.needsBccHeader;
    } catch (error) {
      // A message that cannot be built fails by itself; its claim goes on.
      const reply = {
        code: 'ECOMPOSE',
        response: `The message could not be built: ${(error as Error).message}`,
      };
      results = markAll(results, envelopeTo, 'failed', reply);
      return {
        outcome: settle(message, results, reply, messageId, this.retry),
      };
    }
    for (;;) {
      try {
        const sent = await this.pool.send(
          { from: server.from, to: envelopeTo },
          () => compiled.createReadStream(),
        );
        results = mergeAttempt(results, sent);
        const again = sent.accepted.length
          ? sent.refused.filter(r => r.responseCode === 452)
          : [];
        if (again.length === 0 || !this.events.stillHeld(message)) {
          const reply = firstRefusal(sent.refused) ?? {
            response: sent.response,
          };
          return {
            outcome: settle(message, results, reply, messageId, this.retry),
          };
        }
        envelopeTo = again.map(r => r.recipient);
      } catch (error) {
        const failure = readSmtpFailure(error, server);
        const scope = failureScope(failure, server);
        if (scope.scope === 'server') return { serverFailure: failure };
        if (failure.refusedRecipients?.length) {
          results = mergeAttempt(results, {
            accepted: [],
            refused: failure.refusedRecipients.map(r => ({
              recipient: r.recipient ?? '',
              responseCode: r.responseCode,
              response: r.response,
            })),
          });
        } else {
          const temporary = scope.scope === 'message' && scope.temporary;
          results = markAll(
            results,
            envelopeTo,
            temporary ? 'deferred' : 'failed',
            scope.reply,
          );
        }
        return {
          outcome: settle(message, results, scope.reply, messageId, this.retry),
        };
      }
    }
  }
}
