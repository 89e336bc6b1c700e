import { LoggerService } from '@backstage/backend-plugin-api';
import { setTimeout as delay } from 'node:timers/promises';
import {
  ClaimedMessage,
  ClaimOutcome,
  DeliveryOutcome,
  OutboxClaims,
} from '../database/OutboxClaims';
import { describeError } from '../errors/describeError';

/** Outcomes per transaction, at most. */
const GROUP = 500;

/** How long to wait before writing again after the database failed. */
const RETRY_MS = 500;

/**
 * Writes delivery outcomes as soon as they are known, in small groups: at
 * once when mail trickles, and at most one write every `intervalMs` when it
 * floods, the outcomes of that interval together (a group commit). Every
 * statement costs the replica about half a millisecond of CPU and the
 * database a commit, whatever it holds; an outcome waits at most one
 * interval, never "until the whole claim is done".
 */
export class OutcomeRecorder {
  private readonly queue: Array<ClaimOutcome & { message: ClaimedMessage }> =
    [];
  private writing?: Promise<void>;
  private stopped = false;
  private lastWriteAt = 0;
  /** Set while stopping: what is left is written without waiting. */
  private hurry = false;

  constructor(
    private readonly claims: OutboxClaims,
    /** The least time between the starts of two writes. */
    private readonly intervalMs: number,
    private readonly logger: LoggerService,
    private readonly events: {
      /** The outcomes were written (lost ones excepted). */
      recorded(
        recorded: Array<{ message: ClaimedMessage; outcome: DeliveryOutcome }>,
      ): void;
      /** The claims of these messages were lost before their outcome was written. */
      lost(messages: ClaimedMessage[]): void;
    },
  ) {}

  /** Outcomes not yet written. */
  get backlog(): number {
    return this.queue.length;
  }

  add(message: ClaimedMessage, outcome: DeliveryOutcome): void {
    this.queue.push({ token: message.token, outcome, message });
    this.schedule();
  }

  /** Starts the next write when the interval allows, unless one is under way. */
  private schedule(): void {
    if (this.writing || this.queue.length === 0 || this.stopped) return;
    const wait =
      this.queue.length >= GROUP || this.hurry
        ? 0
        : Math.max(0, this.lastWriteAt + this.intervalMs - Date.now());
    this.writing = (wait > 0 ? delay(wait) : Promise.resolve())
      .then(() => this.writeGroup())
      .finally(() => {
        this.writing = undefined;
        this.schedule();
      });
  }

  /** Resolves once everything added so far is written, or after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.hurry = true;
    this.schedule();
    while (this.writing && Date.now() < deadline) {
      await Promise.race([
        this.writing,
        delay(Math.max(0, deadline - Date.now())),
      ]);
    }
  }

  /** Stops retrying writes that fail: the backend is going away. */
  stop(): void {
    this.stopped = true;
  }

  private async writeGroup(): Promise<void> {
    this.lastWriteAt = Date.now();
    const group = this.queue.splice(0, GROUP);
    try {
      const { lost } = await this.claims.record(group);
      this.report(group, new Set(lost));
    } catch (error) {
      this.logger.warn(
        `Could not record ${group.length} delivery outcomes, trying again: ${describeError(error)}`,
      );
      // Still ours to write until the lease runs out; after that the rows
      // are taken again and these outcomes are discarded as lost.
      this.queue.unshift(...group);
      if (!this.stopped) await delay(RETRY_MS);
    }
  }

  private report(
    group: Array<ClaimOutcome & { message: ClaimedMessage }>,
    lost: Set<string>,
  ): void {
    if (lost.size > 0) {
      this.logger.warn(
        `Discarded ${lost.size} delivery outcomes: their claims were lost (the lease ran out and the messages were taken again), so these messages may be delivered twice`,
        { messageIds: [...lost].join(',') },
      );
      this.events.lost(
        group.filter(g => lost.has(g.outcome.id)).map(g => g.message),
      );
    }
    this.events.recorded(group.filter(g => !lost.has(g.outcome.id)));
  }
}
