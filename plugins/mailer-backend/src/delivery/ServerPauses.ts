import { LoggerService } from '@backstage/backend-plugin-api';
import {
  DeliveryPauses,
  PauseCause,
  StoredPause,
} from '../database/DeliveryPauses';
import { describeError } from '../errors/describeError';

/** How long pauses last. */
export interface ServerPausesConfig {
  /** The first pause of a failing server; doubles with each failure in a row. */
  pauseInitialMs: number;
  pauseMaxMs: number;
  /** How often the pauses every replica wrote are read again. */
  pollIntervalMs: number;
}

/**
 * This replica's view of the servers that are paused, shared with every
 * replica through the database: read every poll interval, written when a
 * server fails or works again, and a wake-up when the first pause ends.
 */
export class ServerPauses {
  private pauses = new Map<string, StoredPause>();
  /** The database's clock minus this replica's, when the pauses were read. */
  private clockOffset = 0;
  private readAt = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly store: DeliveryPauses,
    private readonly config: ServerPausesConfig,
    private readonly logger: LoggerService,
    /** Called when a pause ends: its mail may go. */
    private readonly onPauseEnded: () => void,
  ) {}

  /** Reads every pause again if the poll interval has passed. */
  async refreshIfDue(): Promise<void> {
    if (Date.now() - this.readAt < this.config.pollIntervalMs) return;
    const before = Date.now();
    const { now, pauses } = await this.store.all();
    this.clockOffset = now - Math.round((before + Date.now()) / 2);
    this.pauses = pauses;
    this.readAt = Date.now();
    this.wakeWhenPausesEnd();
  }

  /** The lane's pause: in force, or ended but not yet followed by a success. */
  of(laneKey: string): StoredPause | undefined {
    return this.pauses.get(laneKey);
  }

  /** Whether the lane's pause is still in force. */
  inForce(pause: StoredPause | undefined): boolean {
    return pause !== undefined && pause.until > this.databaseNow();
  }

  /** Pauses a lane: longer with each failure in a row, and at least as long as the server asked. */
  async pause(
    key: string,
    tenantId: string | undefined,
    cause: PauseCause,
    atLeastMs = 0,
  ): Promise<void> {
    const { pauseInitialMs, pauseMaxMs } = this.config;
    const delayFor = (failures: number) =>
      Math.max(
        atLeastMs,
        withJitter(Math.min(pauseMaxMs, pauseInitialMs * 2 ** (failures - 1))),
      );
    try {
      const pause = await this.store.pause(key, tenantId, cause, delayFor);
      this.pauses.set(key, pause);
      // Codes only: a server's reply text may quote addresses. The reason
      // itself is in the delivery view, for the tenant's admins.
      const codes = [cause.reply?.responseCode, cause.reply?.code]
        .filter(Boolean)
        .join(' ');
      this.logger.warn(
        `Delivery ${tenantId ? `for tenant ${tenantId}` : 'through the default mailbox'} paused until ${new Date(pause.until).toISOString()} (failure ${pause.failures} in a row${codes ? `, ${codes}` : ''}); the delivery view says why`,
        { lane: key },
      );
      this.wakeWhenPausesEnd();
    } catch (error) {
      this.logger.warn(
        `Could not record a delivery pause: ${describeError(error)}`,
      );
    }
  }

  /** The lane's server works again: its pause ends for every replica. */
  resume(key: string): void {
    if (!this.pauses.delete(key)) return;
    this.store.clear(key).then(
      () =>
        this.logger.info(`Delivery resumed: the server works again`, {
          lane: key,
        }),
      error =>
        this.logger.warn(
          `Could not end a delivery pause: ${describeError(error)}`,
        ),
    );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The database's time, as this replica estimates it. */
  private databaseNow(): number {
    return Date.now() + this.clockOffset;
  }

  private wakeWhenPausesEnd(): void {
    clearTimeout(this.timer);
    const ends = [...this.pauses.values()]
      .map(p => p.until)
      .filter(until => until > this.databaseNow());
    if (ends.length === 0 || this.stopped) return;
    const wait = Math.min(...ends) - this.databaseNow() + 10;
    this.timer = setTimeout(() => this.onPauseEnded(), wait);
    this.timer.unref();
  }
}

/** ±20 %, so replicas that paused together do not all try again together. */
function withJitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}
