import { LoggerService } from '@backstage/backend-plugin-api';
import { setTimeout as delay } from 'node:timers/promises';
import {
  ClaimedMessage,
  ClaimOutcome,
  DeliveryOutcome,
  OutboxClaims,
} from '../database/OutboxClaims';
import { describeError } from '../errors/describeError';
import { settledOrAfter } from './settledOrAfter';
import { withoutServerText } from './withoutServerText';

/** Outcomes per transaction, at most. */
const GROUP = 500;

/** How long to wait before writing again after the database failed. */
const RETRY_MS = 500;

/** Tries of one outcome that the database keeps refusing while it takes others. */
const MAX_TRIES = 5;

type Entry = ClaimOutcome & { message: ClaimedMessage; tries: number };

/**
 * Writes delivery outcomes as soon as they are known, in small groups: at
 * once when mail trickles, and at most one write every `intervalMs` when it
 * floods, the outcomes of that interval together (a group commit). Every
 * statement costs the replica about half a millisecond of CPU and the
 * database a commit, whatever it holds; an outcome waits at most one
 * interval, never "until the whole claim is done".
 *
 * One outcome the database refuses never holds the others back: a group
 * that fails is written again one outcome at a time, an outcome that still
 * fails is written without the server's text, and only when nothing can be
 * written (the database is down) does everything wait.
 */
export class OutcomeRecorder {
  private readonly queue: Entry[] = [];
  /** The group being written now. */
  private writingGroup: Entry[] = [];
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
    return this.queue.length + this.writingGroup.length;
  }

  /** The claims of the outcomes not yet written: their leases must hold. */
  pendingClaims(): string[] {
    return [...this.writingGroup, ...this.queue].map(entry => entry.token);
  }

  add(message: ClaimedMessage, outcome: DeliveryOutcome): void {
    this.queue.push({ token: message.token, outcome, message, tries: 0 });
    this.schedule();
  }

  /** Resolves once everything added so far is written, or after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.hurry = true;
    this.schedule();
    while (this.writing && Date.now() < deadline) {
      await settledOrAfter(this.writing, Math.max(0, deadline - Date.now()));
    }
  }

  /** Stops retrying writes that fail: the backend is going away. */
  stop(): void {
    this.stopped = true;
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

  private async writeGroup(): Promise<void> {
    this.lastWriteAt = Date.now();
    const group = this.queue.splice(0, GROUP);
    this.writingGroup = group;
    try {
      if (await this.tryWrite(group)) return;
      if (!(await this.claims.reachable())) {
        this.logger.warn(
          `Could not record ${group.length} delivery outcomes: the database does not answer; trying again`,
        );
        // Still ours to write until the lease runs out; after that the rows
        // are taken again and these outcomes are discarded as lost.
        this.queue.unshift(...group);
        if (!this.stopped) await delay(RETRY_MS);
        return;
      }
      // The database works but refused something in the group: find it,
      // one outcome at a time.
      const refused: Entry[] = [];
      for (const entry of group) {
        if (!(await this.writeAlone(entry))) refused.push(entry);
      }
      this.giveUpOrRequeue(refused);
    } finally {
      this.writingGroup = [];
    }
  }

  /** Writes the outcome, or failing that the outcome without the server's text. */
  private async writeAlone(entry: Entry): Promise<boolean> {
    if (await this.tryWrite([entry])) return true;
    const plain = { ...entry, outcome: withoutServerText(entry.outcome) };
    if (!(await this.tryWrite([plain]))) return false;
    this.logger.warn(
      `Recorded a delivery outcome without the server's reply: the database refused it`,
      { messageId: entry.outcome.id },
    );
    return true;
  }

  /**
   * Outcomes the database refused while it took others go to the end of the
   * queue, behind everyone else's; after a few tries they are dropped, and
   * their messages are sent again once their leases run out.
   */
  private giveUpOrRequeue(refused: Entry[]): void {
    for (const entry of refused) {
      entry.tries += 1;
      if (entry.tries < MAX_TRIES) {
        this.queue.push(entry);
        continue;
      }
      this.logger.error(
        `Gave up recording a delivery outcome the database keeps refusing; the message is sent again after its lease`,
        { messageId: entry.outcome.id },
      );
      this.events.lost([entry.message]);
    }
  }

  /** Writes a group in one go; false if the database refused it. */
  private async tryWrite(group: Entry[]): Promise<boolean> {
    try {
      const { lost } = await this.claims.record(group);
      this.report(group, new Set(lost));
      return true;
    } catch (error) {
      this.logger.debug(
        `Writing ${group.length} delivery outcomes failed: ${describeError(error)}`,
      );
      return false;
    }
  }

  private report(group: Entry[], lost: Set<string>): void {
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
