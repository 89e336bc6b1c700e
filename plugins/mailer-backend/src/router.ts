import {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { MailerTenantResolver } from '@elixeum/plugin-mailer-node';
import express from 'express';
import Router from 'express-promise-router';
import { bounceRoutes } from './routes/bounceRoutes';
import { dkimRoutes } from './routes/dkimRoutes';
import { errorBoundary } from './routes/errorBoundary';
import { serviceRoutes } from './routes/serviceRoutes';
import { suppressionRoutes } from './routes/suppressionRoutes';
import { unsubscribeRoutes } from './routes/unsubscribeRoutes';
import { PagePortal } from './routes/unsubscribePage';
import { userRoutes } from './routes/userRoutes';
import { BounceIntake } from './service/BounceIntake';
import { ConnectionTester } from './service/ConnectionTester';
import { DkimKeys } from './service/DkimKeys';
import { MailQueue } from './service/MailQueue';
import { SenderCheck } from './service/SenderCheck';
import { SenderOperations } from './service/SenderOperations';
import { SettingsHistory } from './service/SettingsHistory';
import { SuppressionList } from './service/SuppressionList';
import { TenantSettingsService } from './service/TenantSettingsService';
import { Unsubscribes } from './service/Unsubscribes';
import { tooManyRequestsHandler } from './tooManyRequests';

/** What the routes need; the router itself holds no logic beyond HTTP. */
export interface RouterOptions {
  settings: TenantSettingsService;
  queue: MailQueue;
  tenants: MailerTenantResolver;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  connectionTester: ConnectionTester;
  senderCheck: SenderCheck;
  history: SettingsHistory;
  /** The DKIM key the card shows and makes. */
  dkimKeys: DkimKeys;
  /** Delivery status notifications: the service intake and the delivery view's list. */
  bounceIntake: BounceIntake;
  /** The "Suppressed addresses" card's list. */
  suppressions: SuppressionList;
  /** One-click unsubscribe, on public routes. */
  unsubscribes: Unsubscribes;
  /** The portal the public pages lead back to. */
  portal: PagePortal;
  /** What other plugins do through the mailer (the service routes). */
  senderOperations: SenderOperations;
  logger: LoggerService;
}

/**
 * The mailer's HTTP API: routes for signed-in users (the settings page) and
 * routes for other plugins (sending mail), each refusing the other audience,
 * and the public unsubscribe routes, which answer with pages of their own.
 * Errors that are not the caller's leave without their content.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const router = Router();
  router.use(unsubscribeRoutes(options));
  router.use(userRoutes(options));
  router.use(dkimRoutes(options));
  router.use(bounceRoutes(options));
  router.use(suppressionRoutes(options));
  router.use(
    serviceRoutes({
      operations: options.senderOperations,
      httpAuth: options.httpAuth,
    }),
  );
  router.use(tooManyRequestsHandler);
  router.use(errorBoundary(options.logger));
  return router;
}
