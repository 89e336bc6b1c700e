import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  actionsRegistryServiceRef,
  metricsServiceRef,
} from '@backstage/backend-plugin-api/alpha';
import { mailerPermissions } from '@elixeum/plugin-mailer-common';
import {
  mailerInProcessBackendServiceRef,
  MailerTenantResolver,
  mailerTenantExtensionPoint,
} from '@elixeum/plugin-mailer-node';
import { readMailerConfig } from './config';
import { SecretCipher } from './crypto/SecretCipher';
import { SettingsStore } from './database/SettingsStore';
import { SettingsHistoryStore } from './database/SettingsHistoryStore';
import { StoredSecrets } from './database/StoredSecrets';
import { openDatabase } from './database/openDatabase';
import { DeliveryPauses } from './database/DeliveryPauses';
import { MetricReadings } from './database/MetricReadings';
import { OutboxQueue } from './database/OutboxQueue';
import { OutboxReports } from './database/OutboxReports';
import { OutboxRetention } from './database/OutboxRetention';
import { OutboxTestMessages } from './database/OutboxTestMessages';
import { RecentFailures } from './database/RecentFailures';
import { SendKeys } from './database/SendKeys';
import { SuppressionStore } from './database/SuppressionStore';
import { BounceReports } from './database/BounceReports';
import { OutboxBounces } from './database/OutboxBounces';
import { SoftBounces } from './database/SoftBounces';
import { UnsubscribeTokens } from './crypto/UnsubscribeTokens';
import { createDelivery } from './delivery/createDelivery';
import { ListMail } from './delivery/ListMail';
import { describeError } from './errors/describeError';
import { defaultLaneKey } from './delivery/laneKeys';
import { MailerMetrics } from './metrics/MailerMetrics';
import { OAuthTokens } from './oauth/OAuthTokens';
import { createMailerActions } from './actions/createMailerActions';
import { createRouter } from './router';
import { inProcessCalls } from './routes/inProcessCalls';
import { SenderOperations } from './service/SenderOperations';
import { UNSUBSCRIBE_PATH } from './routes/unsubscribeRoutes';
import { policyResolver } from './security/policyResolver';
import { ServerPolicy, TOKEN_URL_TARGET } from './security/ServerPolicy';
import { ConnectionTester } from './service/ConnectionTester';
import { DkimKeys } from './service/DkimKeys';
import { BounceIntake } from './service/BounceIntake';
import { Bounces, SOFT_BOUNCE_POLICY } from './service/Bounces';
import { RecipientFailures } from './service/RecipientFailures';
import { ReplyExplanations } from './service/ReplyExplanations';
import { SenderCheck } from './service/SenderCheck';
import { readSenderCheckConfig } from './senderCheck/readSenderCheckConfig';
import { SenderDns } from './senderCheck/senderDns';
import { MailQueue } from './service/MailQueue';
import { SEND_KEY_LIFETIME_MS } from './service/IdempotentSends';
import { TenantPauses } from './delivery/TenantPauses';
import { SecretReencryption } from './service/SecretReencryption';
import { SettingsHistory } from './service/SettingsHistory';
import { SuppressionList } from './service/SuppressionList';
import { Unsubscribes } from './service/Unsubscribes';
import { TenantSettingsService } from './service/TenantSettingsService';
import { SingleTenantResolver } from './tenancy/SingleTenantResolver';

/** Re-encrypts secrets under older keys with the primary key; see SecretReencryption. */
const REENCRYPTION_TASK = 'mailer-secret-reencryption';

/**
 * The mailer backend plugin: tenant notification settings (SMTP password
 * encrypted at rest) and the delivery of mail for other plugins.
 *
 * @public
 */
export const mailerPlugin = createBackendPlugin({
  pluginId: 'mailer',
  register(env) {
    let customTenantResolver: MailerTenantResolver | undefined;
    env.registerExtensionPoint(mailerTenantExtensionPoint, {
      setTenantResolver(resolver) {
        if (customTenantResolver) {
          throw new Error('The mailer tenant resolver can only be set once');
        }
        customTenantResolver = resolver;
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        lifecycle: coreServices.lifecycle,
        scheduler: coreServices.scheduler,
        discovery: coreServices.discovery,
        metrics: metricsServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        auth: coreServices.auth,
        inProcess: mailerInProcessBackendServiceRef,
      },
      async init(deps) {
        const { config, logger, database, httpRouter, lifecycle, scheduler } =
          deps;
        // Each throws with a clear message: no key, no start; never plain text.
        const mailerConfig = readMailerConfig(config);
        const cipher = SecretCipher.fromConfig(config);
        // Which servers tenants may use; the default mailbox is not subject to it.
        const serverPolicy = ServerPolicy.fromConfig(config);
        const senderCheckConfig = readSenderCheckConfig(config);
        const tenants =
          customTenantResolver ??
          new SingleTenantResolver(mailerConfig.tenantId);

        const knex = await openDatabase(database);
        const metrics = new MailerMetrics(
          deps.metrics,
          new MetricReadings(knex),
          logger,
        );
        const history = new SettingsHistory(new SettingsHistoryStore(knex));
        const settings = new TenantSettingsService(
          new SettingsStore(knex),
          cipher,
          mailerConfig.defaultServer.from,
          serverPolicy,
          history,
        );
        const { delivery } = mailerConfig;
        const suppressions = new SuppressionStore(knex);
        // Refusals at RCPT TO, and delivery status notifications that come
        // later, suppress the addresses that bounced.
        const softBounces = new SoftBounces(knex);
        const bounces = new Bounces(
          suppressions,
          softBounces,
          logger,
          SOFT_BOUNCE_POLICY,
          metrics,
        );
        const bounceReports = new BounceReports(knex);
        const unsubscribeTokens = UnsubscribeTokens.fromCipher(cipher);
        const outboxQueue = new OutboxQueue(knex);
        const pauses = new DeliveryPauses(knex);
        const explanations = new ReplyExplanations(
          settings,
          mailerConfig.defaultServer,
        );
        const queue = new MailQueue({
          queue: outboxQueue,
          reports: new OutboxReports(knex),
          pauses: new TenantPauses(
            settings,
            pauses,
            defaultLaneKey(mailerConfig.defaultServer),
          ),
          sendKeys: new SendKeys(knex),
          suppressions,
          explanations,
          metrics,
        });
        const tenantResolver = policyResolver(serverPolicy);
        const tokens = new OAuthTokens(
          {
            microsoftAuthority: mailerConfig.endpoints.microsoftAuthority,
            googleTokenUrl: mailerConfig.endpoints.googleTokenUrl,
            extraCaCertificates: mailerConfig.extraCaCertificates,
            tenantResolver: policyResolver(serverPolicy, TOKEN_URL_TARGET),
            timeoutMs: delivery.connectionTimeoutMs,
          },
          // A provider that rotates refresh tokens: the saved settings keep
          // the new one, if it is theirs (not a test of unsaved values).
          rotation =>
            settings.storeRotatedRefreshToken(rotation).then(
              () => undefined,
              error =>
                logger.warn(
                  `Could not store the rotated refresh token of tenant ${rotation.tenantId}: ${describeError(error)}`,
                ),
            ),
          Date.now,
          metrics,
        );
        const worker = createDelivery({
          knex,
          config: mailerConfig,
          settings,
          pauses,
          tokens,
          tenantResolver,
          logger,
          onRecorded: ids => ids.forEach(id => queue.notifyFinished(id)),
          metrics,
          bounces,
          lists: new ListMail({
            suppressions,
            tokens: unsubscribeTokens,
            // The backend's public address (backend.baseUrl): receivers
            // and recipients reach the link from outside.
            unsubscribeUrl: async () =>
              `${await deps.discovery.getExternalBaseUrl('mailer')}${UNSUBSCRIBE_PATH}`,
          }),
        });
        queue.whenQueued(tenantId => worker.wake(tenantId));
        settings.onChange(tenantId => worker.settingsChanged(tenantId));
        worker.start();
        lifecycle.addShutdownHook(async () => {
          // Callers waiting for an outcome are answered now, with the status
          // as it is, instead of holding the shutdown up to their 25 s wait.
          queue.stopWaiting();
          await worker.stop();
          // Bounces seen while sending are applied before the backend goes.
          await bounces.drain();
          metrics.stop();
        });

        // One replica at a time deletes what is past the retention periods.
        const retention = new OutboxRetention(knex);
        await scheduler.scheduleTask({
          id: 'mailer-outbox-cleanup',
          frequency: { hours: 1 },
          timeout: { minutes: 10 },
          fn: async () => {
            const purged = await retention.purgeFinished(delivery.retentionMs);
            if (purged > 0)
              logger.info(`Deleted ${purged} delivered or failed messages`);
            // Past their 24 hours, keys of single sends stand for nothing.
            await retention.purgeSendKeys(SEND_KEY_LIFETIME_MS);
            // A pause untouched for four of its longest is not in use.
            await pauses.purgeStale(
              Math.max(4 * delivery.pauseMaxMs, 60 * 60 * 1000),
            );
            await suppressions.purgeExpired();
            await softBounces.purgeOlderThan(SOFT_BOUNCE_POLICY.windowMs);
            await bounceReports.purgeOlderThan(delivery.retentionMs);
            const lines = await history.purge(
              mailerConfig.settingsHistoryRetentionMs,
            );
            if (lines > 0)
              logger.info(`Deleted ${lines} old lines of settings history`);
          },
        });

        // One replica at a time moves secrets onto the primary key, also
        // soon after every start: an operator who just put a new key first
        // should not wait a whole period to see the old one empty.
        const reencryption = new SecretReencryption(
          new StoredSecrets(knex),
          cipher,
          logger,
        );
        await scheduler.scheduleTask({
          id: REENCRYPTION_TASK,
          frequency: { milliseconds: mailerConfig.reencryptFrequencyMs },
          timeout: { minutes: 10 },
          initialDelay: { seconds: 10 },
          fn: async signal => {
            await reencryption.run(signal);
          },
        });
        lifecycle.addStartupHook(() =>
          scheduler.triggerTask(REENCRYPTION_TASK).catch(error =>
            // E.g. running on another replica already: that run does it.
            logger.debug(
              `Re-encryption not started now (${(error as Error)?.name}); it runs on its schedule`,
            ),
          ),
        );

        deps.permissionsRegistry.addPermissions(mailerPermissions);
        // Receivers post one-click unsubscribes (RFC 8058) without
        // credentials; the token in the link is the only key.
        httpRouter.addAuthPolicy({
          path: UNSUBSCRIBE_PATH,
          allow: 'unauthenticated',
        });
        const publicUrl = await deps.discovery.getExternalBaseUrl('mailer');
        if (!publicUrl.startsWith('https://')) {
          logger.warn(
            `Bulk mail's unsubscribe links start with ${publicUrl}: Gmail, Yahoo and Outlook.com require HTTPS links in List-Unsubscribe; set backend.baseUrl to the portal's public https address`,
          );
        }
        const suppressionList = new SuppressionList(suppressions, history);
        // Read-only, for AI assistants and automation; checked as the routes are.
        createMailerActions({
          actionsRegistry: deps.actionsRegistry,
          auth: deps.auth,
          permissions: deps.permissions,
          tenants,
          queue,
          failures: new RecipientFailures(
            new RecentFailures(knex),
            explanations,
            suppressionList,
          ),
        });
        // Plugins in this backend call the sender operations directly, with
        // the checks of the service routes and without HTTP or tokens.
        const senderOperations = new SenderOperations(queue, tenants);
        deps.inProcess.attach(inProcessCalls(senderOperations, logger));
        lifecycle.addShutdownHook(() => deps.inProcess.attach(undefined));
        httpRouter.use(
          await createRouter({
            senderOperations,
            settings,
            queue,
            tenants,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
            connectionTester: new ConnectionTester(
              settings,
              mailerConfig.extraCaCertificates,
              undefined,
              {
                resolve: tenantResolver,
                allowInsecureAuth: mailerConfig.allowInsecureAuth,
                tokens,
                graphBaseUrl: mailerConfig.endpoints.graphBaseUrl,
                history,
                // Tested while a tenant's settings are incomplete: its mail goes there then.
                defaultServer: mailerConfig.defaultServer,
                testMessages: new OutboxTestMessages(knex),
                logger,
              },
            ),
            senderCheck: new SenderCheck({
              settings,
              defaultServer: mailerConfig.defaultServer,
              dns: new SenderDns({
                servers: senderCheckConfig.dnsServers,
                timeoutMs: senderCheckConfig.timeoutMs,
              }),
              cacheMs: senderCheckConfig.cacheMs,
            }),
            history,
            dkimKeys: new DkimKeys(settings),
            bounceIntake: new BounceIntake(
              bounceReports,
              new OutboxBounces(knex),
              bounces,
            ),
            suppressions: suppressionList,
            unsubscribes: new Unsubscribes(
              unsubscribeTokens,
              suppressions,
              metrics,
            ),
            portal: {
              title: config.getOptionalString('app.title') ?? 'Backstage',
              baseUrl: config.getOptionalString('app.baseUrl'),
            },
            logger,
          }),
        );
        const { host, port, from } = mailerConfig.defaultServer;
        logger.info(`Default mailbox ${from} via ${host}:${port}`);
      },
    });
  },
});
