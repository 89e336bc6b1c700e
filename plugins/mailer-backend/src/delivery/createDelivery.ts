import { LoggerService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { MailerConfig } from '../config';
import { DeliveryPauses } from '../database/DeliveryPauses';
import { OutboxClaims } from '../database/OutboxClaims';
import { OutboxQueue } from '../database/OutboxQueue';
import { RateLimitLedger } from '../database/RateLimitLedger';
import { MailerMetrics } from '../metrics/MailerMetrics';
import { AddressResolver } from '../net/addressResolver';
import { OAuthTokens } from '../oauth/OAuthTokens';
import { TenantSettingsService } from '../service/TenantSettingsService';
import { CampaignTemplates } from './CampaignTemplates';
import { DeliveryLanes } from './DeliveryLanes';
import { DeliveryWorker, DeliveryWorkerDeps } from './DeliveryWorker';
import { ListMail } from './ListMail';

/** What the delivery of the outbox is built from. */
export interface DeliveryParts {
  knex: Knex;
  config: MailerConfig;
  settings: TenantSettingsService;
  pauses: DeliveryPauses;
  tokens: OAuthTokens;
  /** Resolves (and checks) tenant servers' names. */
  tenantResolver: AddressResolver;
  logger: LoggerService;
  onRecorded: (ids: string[]) => void;
  /** The suppression list and unsubscribe links. */
  lists: ListMail;
  metrics: MailerMetrics;
  /** Where refusals at RCPT TO go, to suppress addresses that bounced. */
  bounces?: DeliveryWorkerDeps['bounces'];
}

/** The delivery worker of this replica, with its lanes, as the config says. */
export function createDelivery(parts: DeliveryParts): DeliveryWorker {
  const { knex, config, settings } = parts;
  const { delivery } = config;
  return new DeliveryWorker({
    claims: new OutboxClaims(knex),
    templates: new CampaignTemplates(
      new OutboxQueue(knex),
      delivery.templateCacheBytes,
    ),
    pauses: parts.pauses,
    ledger: new RateLimitLedger(knex),
    lanes: events =>
      new DeliveryLanes(
        settings,
        {
          defaultServer: config.defaultServer,
          defaultRateLimit: config.defaultRateLimit,
          extraCaCertificates: config.extraCaCertificates,
          allowInsecureAuth: config.allowInsecureAuth,
          tenantResolver: parts.tenantResolver,
          tokens: parts.tokens,
          graphBaseUrl: config.endpoints.graphBaseUrl,
          maxConnections: delivery.maxConnections,
          windowPerConnection: delivery.windowPerConnection,
          connectionTimeoutMs: delivery.connectionTimeoutMs,
          socketTimeoutMs: delivery.socketTimeoutMs,
          idleMs: delivery.idlePoolMs,
          maxLanes: delivery.maxPools,
          retry: delivery.retry,
        },
        events,
      ),
    config: {
      pollIntervalMs: delivery.pollIntervalMs,
      leaseMs: delivery.leaseMs,
      maxAttempts: delivery.retry.maxAttempts,
      maxAgeMs: delivery.retry.maxAgeMs,
      pauseInitialMs: delivery.pauseInitialMs,
      pauseMaxMs: delivery.pauseMaxMs,
      shutdownTimeoutMs: delivery.shutdownTimeoutMs,
      recordIntervalMs: delivery.recordIntervalMs,
    },
    logger: parts.logger,
    onRecorded: parts.onRecorded,
    lists: parts.lists,
    metrics: parts.metrics,
    bounces: parts.bounces,
  });
}
