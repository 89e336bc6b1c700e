import { LoggerService } from '@backstage/backend-plugin-api';
import {
  MetricAttributes,
  MetricsService,
  MetricsServiceCounter,
  MetricsServiceObservableCallback,
  MetricsServiceObservableGauge,
} from '@backstage/backend-plugin-api/alpha';
import { ClaimedMessage, DeliveryOutcome } from '../database/claimedMessage';
import { MetricReadings } from '../database/MetricReadings';
import { describeError } from '../errors/describeError';
import { LatestReading } from './LatestReading';
import {
  failureOutcome,
  MeteredLane,
  pauseReason,
  priorityName,
  ServerKind,
  serverKindOf,
  tokenFailureReason,
} from './metricAttributes';

/** Latency buckets in seconds: a fast relay answers in well under a second; retries take hours. */
const LATENCY_BUCKETS = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200,
  21600, 86400,
];

/** The database is read at most this often for the gauges, however many collect. */
const READING_MAX_AGE_MS = 5_000;

/** Where a claimed message is going, and when this replica claimed it. */
interface ClaimNote {
  serverKind: ServerKind;
  claimedHere: number;
}

/**
 * The mailer's metrics, through Backstage's metrics service (OpenTelemetry
 * underneath, one meter named after the plugin). Every attribute is from a
 * small fixed set (see metricAttributes): no tenant, address, host or
 * campaign ever becomes a label.
 *
 * Counters are counted where the fact happens: queued by the queue,
 * delivery outcomes once the worker has recorded them, token requests by
 * the token cache. Gauges are read when the metrics are collected: the
 * backlog and the pauses with one query each (at most every few seconds),
 * connections from the lanes in memory.
 */
export class MailerMetrics {
  private readonly queuedCount: MetricsServiceCounter;
  private readonly sentCount: MetricsServiceCounter;
  private readonly failedCount: MetricsServiceCounter;
  private readonly deferredCount: MetricsServiceCounter;
  private readonly suppressedCount: MetricsServiceCounter;
  private readonly tokenRequests: MetricsServiceCounter;
  private readonly tokenFailures: MetricsServiceCounter;
  private readonly unsubscribes: MetricsServiceCounter;
  private readonly bounces: MetricsServiceCounter;
  private readonly latency;
  /** Every gauge callback, to take back when the plugin stops. */
  private readonly observers: Array<
    [MetricsServiceObservableGauge, MetricsServiceObservableCallback]
  > = [];
  /** Claimed messages until their outcome is recorded; gone with the message. */
  private readonly claims = new WeakMap<ClaimedMessage, ClaimNote>();
  private lanes: () => MeteredLane[] = () => [];

  constructor(
    metrics: MetricsService,
    readings: MetricReadings,
    logger: LoggerService,
    readingMaxAgeMs = READING_MAX_AGE_MS,
  ) {
    const counter = (name: string, description: string) =>
      metrics.createCounter(name, { description, unit: '{message}' });
    this.queuedCount = counter(
      'mailer.messages.queued',
      'Messages accepted into the outbox',
    );
    this.sentCount = counter(
      'mailer.messages.sent',
      'Messages a server accepted (outcome sent, or partial when some recipients were refused for good)',
    );
    this.failedCount = counter(
      'mailer.messages.failed',
      'Messages that failed for good (outcome permanent: 5xx; temporary: 4xx until attempts or time ran out; no_reply; interrupted)',
    );
    this.deferredCount = counter(
      'mailer.messages.deferred',
      'Messages to be tried again (outcome retry: an attempt failed for now; released: given back untried, e.g. the server is paused)',
    );
    this.suppressedCount = counter(
      'mailer.messages.suppressed',
      'Messages not sent because every recipient is on the suppression list (outcome when_queued or when_claimed)',
    );
    this.tokenRequests = metrics.createCounter('mailer.oauth.token_requests', {
      description: 'OAuth2 access tokens asked of a token endpoint',
      unit: '{request}',
    });
    this.tokenFailures = metrics.createCounter('mailer.oauth.token_failures', {
      description: 'OAuth2 token requests that failed, by reason',
      unit: '{request}',
    });
    this.unsubscribes = metrics.createCounter('mailer.unsubscribes', {
      description: 'Recipients who unsubscribed (scope list or all_bulk)',
      unit: '{recipient}',
    });
    this.bounces = metrics.createCounter('mailer.bounces', {
      description:
        'Bounces recorded on the suppression list (kind hard or soft)',
      unit: '{recipient}',
    });
    this.latency = metrics.createHistogram('mailer.delivery.latency', {
      description:
        "Time from queueing to the server's acceptance, retries included",
      unit: 's',
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS },
    });

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
    const failedRead = (what: string) => (error: unknown) => {
      logger.warn(
        `Could not read ${what} for the metrics: ${describeError(error)}`,
      );
      return [];
    };
    const backlog = new LatestReading(
      () => readings.dueBacklog().catch(failedRead('the due backlog')),
      readingMaxAgeMs,
    );
    const pauses = new LatestReading(
      () => readings.pausedServers().catch(failedRead('the paused servers')),
      readingMaxAgeMs,
    );
    gauge(
      'mailer.outbox.due',
      'Messages due for delivery now, on every replica (the same on each)',
      '{message}',
      async result => {
        for (const row of await backlog.get()) {
          result.observe(row.due, { priority: priorityName(row.priority) });
        }
      },
    );
    gauge(
      'mailer.outbox.oldest_due_age',
      'How long the longest-waiting due message has been due: since it was queued, or since its retry time',
      's',
      async result => {
        for (const row of await backlog.get()) {
          result.observe(row.oldestDueMs / 1000, {
            priority: priorityName(row.priority),
          });
        }
      },
    );
    gauge(
      'mailer.servers.paused',
      'Servers whose pause is in force (server default or tenant), by what paused them',
      '{server}',
      async result => {
        const counts = new Map<string, MetricAttributes & { n: number }>();
        for (const row of await pauses.get()) {
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

  /** Messages committed to the outbox, and those stored as suppressed instead. */
  queued(priority: number, count: number, suppressed = 0): void {
    const attributes = { priority: priorityName(priority) };
    if (count > 0) this.queuedCount.add(count, attributes);
    if (suppressed > 0) {
      this.suppressedCount.add(suppressed, {
        ...attributes,
        outcome: 'when_queued',
      });
    }
  }

  /** Messages just claimed for a lane: their outcomes are counted by its server kind. */
  claimed(lane: MeteredLane, messages: ClaimedMessage[]): void {
    const note = { serverKind: serverKindOf(lane), claimedHere: Date.now() };
    for (const message of messages) this.claims.set(message, note);
  }

  /** An outcome the worker has written to the outbox. */
  recorded(message: ClaimedMessage, outcome: DeliveryOutcome): void {
    const note = this.claims.get(message);
    const attributes = {
      priority: priorityName(message.priority),
      server_kind: note?.serverKind ?? 'unknown',
    };
    switch (outcome.kind) {
      case 'delivered':
        this.sentCount.add(1, { ...attributes, outcome: outcome.state });
        if (note) {
          // Both differences on one clock each: no skew between the
          // database's clock and this replica's.
          const queuedToClaimed = message.claimedAt - message.createdAt;
          const claimedToAccepted = Date.now() - note.claimedHere;
          this.latency.record(
            Math.max(0, queuedToClaimed + claimedToAccepted) / 1000,
            attributes,
          );
        }
        break;
      case 'failed':
        this.failedCount.add(1, {
          ...attributes,
          outcome: failureOutcome(outcome.reply),
        });
        break;
      case 'retry':
      case 'released':
        this.deferredCount.add(1, { ...attributes, outcome: outcome.kind });
        break;
      default:
    }
    this.claims.delete(message);
  }

  /** Messages failed because delivery was interrupted too often (their replicas died). */
  interrupted(count: number): void {
    if (count <= 0) return;
    this.failedCount.add(count, {
      priority: 'unknown',
      server_kind: 'unknown',
      outcome: 'interrupted',
    });
  }

  /** A token endpoint is asked for an access token. */
  tokenRequested(provider: string): void {
    this.tokenRequests.add(1, { provider });
  }

  /** A token request failed. */
  tokenFailed(provider: string, error: unknown): void {
    this.tokenFailures.add(1, { provider, reason: tokenFailureReason(error) });
  }

  /** A recipient unsubscribed through a link. */
  unsubscribed(scope: 'list' | 'all-bulk'): void {
    this.unsubscribes.add(1, { scope: scope === 'list' ? 'list' : 'all_bulk' });
  }

  /** A bounce put an address on the suppression list. */
  bounced(kind: 'hard' | 'soft'): void {
    this.bounces.add(1, { kind });
  }

  /** Takes the gauges' callbacks back: the plugin stops, its worker and database go. */
  stop(): void {
    for (const [instrument, callback] of this.observers.splice(0)) {
      instrument.removeCallback(callback);
    }
    this.lanes = () => [];
  }
}
