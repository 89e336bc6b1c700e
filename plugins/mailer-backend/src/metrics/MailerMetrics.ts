import { LoggerService } from '@backstage/backend-plugin-api';
import {
  MetricsService,
  MetricsServiceCounter,
} from '@backstage/backend-plugin-api/alpha';
import { ClaimedMessage, DeliveryOutcome } from '../database/claimedMessage';
import { MetricReadings } from '../database/MetricReadings';
import { MailerGauges } from './MailerGauges';
import {
  failureOutcome,
  MeteredLane,
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
 * the token cache. Gauges are read when the metrics are collected (see
 * MailerGauges).
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
  private readonly gauges: MailerGauges;
  /** Claimed messages until their outcome is recorded; gone with the message. */
  private readonly claims = new WeakMap<ClaimedMessage, ClaimNote>();

  constructor(
    metrics: MetricsService,
    readings: MetricReadings,
    logger: LoggerService,
    readingMaxAgeMs?: number,
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

    this.gauges = new MailerGauges(metrics, readings, logger, readingMaxAgeMs);
  }

  /** The lanes whose connections the pool gauge counts. */
  watchLanes(lanes: () => MeteredLane[]): void {
    this.gauges.watchLanes(lanes);
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
      case 'suppressed':
        this.suppressedCount.add(1, {
          ...attributes,
          outcome: 'when_claimed',
        });
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
    this.gauges.stop();
  }
}
