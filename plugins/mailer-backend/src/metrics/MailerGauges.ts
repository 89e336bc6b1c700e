import { LoggerService } from '@backstage/backend-plugin-api';
import {
  MetricAttributes,
  MetricsService,
  MetricsServiceObservableCallback,
  MetricsServiceObservableGauge,
} from '@backstage/backend-plugin-api/alpha';
import { MetricReadings } from '../database/MetricReadings';
import { describeError } from '../errors/describeError';
import { LatestReading } from './LatestReading';
import {
  MeteredLane,
  pauseReason,
  priorityName,
  ServerKind,
  serverKindOf,
} from './metricAttributes';

/** The database is read at most this often for the gauges, however many collect. */
const READING_MAX_AGE_MS = 5_000;

/**
 * The mailer's gauges, read when the metrics are collected, never per
 * message: the due backlog and the paused servers with one indexed query
 * each (shared by the gauges that need it, at most every few seconds), the
 * open connections from the lanes in memory.
 */
export class MailerGauges {
  /** Every gauge callback, to take back when the plugin stops. */
  private readonly observers: Array<
    [MetricsServiceObservableGauge, MetricsServiceObservableCallback]
  > = [];
  private lanes: () => MeteredLane[] = () => [];

  constructor(
    metrics: MetricsService,
    readings: MetricReadings,
    logger: LoggerService,
    readingMaxAgeMs = READING_MAX_AGE_MS,
  ) {
    const gauge = (
      name: string,
      description: string,
      unit: string,
      callback: MetricsServiceObservableCallback,
    ) => {
      const instrument = metrics.createObservableGauge(name, {
        description,
        unit,
      });
      instrument.addCallback(callback);
      this.observers.push([instrument, callback]);
    };
    // A failed read reports nothing, not zero: "no data" is the truth then.
    const failedRead = (what: string) => (error: unknown) => {
      logger.warn(
        `Could not read ${what} for the metrics: ${describeError(error)}`,
      );
      return undefined;
    };
    const backlog = new LatestReading(
      () => readings.dueBacklog().catch(failedRead('the due backlog')),
      readingMaxAgeMs,
    );
    const pauses = new LatestReading(
      () => readings.pausedServers().catch(failedRead('the paused servers')),
      readingMaxAgeMs,
    );
    // Both priorities always: an empty outbox reads 0, not "no data".
    const dueByPriority = async () => {
      const rows = await backlog.get();
      if (!rows) return [];
      return (['transactional', 'bulk'] as const).map(
        priority =>
          [
            priority,
            rows.find(row => priorityName(row.priority) === priority),
          ] as const,
      );
    };
    gauge(
      'mailer.outbox.due',
      'Messages due for delivery now, on every replica (the same on each)',
      '{message}',
      async result => {
        for (const [priority, row] of await dueByPriority()) {
          result.observe(row?.due ?? 0, { priority });
        }
      },
    );
    gauge(
      'mailer.outbox.oldest_due_age',
      'How long the longest-waiting due message has been due: since it was queued, or since its retry time',
      's',
      async result => {
        for (const [priority, row] of await dueByPriority()) {
          result.observe((row?.oldestDueMs ?? 0) / 1000, { priority });
        }
      },
    );
    gauge(
      'mailer.servers.paused',
      'Servers whose pause is in force (server default or tenant), by what paused them',
      '{server}',
      async result => {
        const counts = new Map<string, MetricAttributes & { n: number }>();
        for (const row of (await pauses.get()) ?? []) {
          const server = row.isDefault ? 'default' : 'tenant';
          const reason = pauseReason(row.errorCode, row.responseCode);
          const key = `${server} ${reason}`;
          const entry = counts.get(key) ?? { server, reason, n: 0 };
          entry.n += row.count;
          counts.set(key, entry);
        }
        for (const { n, ...attributes } of counts.values()) {
          result.observe(n, attributes);
        }
      },
    );
    gauge(
      'mailer.connections.open',
      'SMTP connections this replica holds open, by server kind',
      '{connection}',
      result => {
        const byKind = new Map<ServerKind, number>();
        for (const lane of this.lanes()) {
          const kind = serverKindOf(lane);
          byKind.set(kind, (byKind.get(kind) ?? 0) + lane.openConnections);
        }
        for (const [kind, open] of byKind) {
          result.observe(open, { server_kind: kind });
        }
      },
    );
  }

  /** The lanes whose connections the pool gauge counts. */
  watchLanes(lanes: () => MeteredLane[]): void {
    this.lanes = lanes;
  }

  /** Takes the callbacks back: the plugin stops, its worker and database go. */
  stop(): void {
    for (const [instrument, callback] of this.observers.splice(0)) {
      instrument.removeCallback(callback);
    }
    this.lanes = () => [];
  }
}
