import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  findSettingKey,
  mailerDeliveryReadPermission,
  mailerSettingsManagePermission,
  mailerSettingsReadPermission,
} from '@elixeum/plugin-mailer-common';
import { MailerTenantResolver } from '@elixeum/plugin-mailer-node';
import express from 'express';
import Router from 'express-promise-router';
import {
  connectionTestBody,
  parseBody,
  senderCheckBody,
  settingsUpdateBody,
  toSettingsChange,
} from '../requestBodies';
import { ConnectionTester } from '../service/ConnectionTester';
import { MailQueue } from '../service/MailQueue';
import { PerUserRateLimit } from '../service/PerUserRateLimit';
import { SenderCheck } from '../service/SenderCheck';
import { SettingsHistory } from '../service/SettingsHistory';
import { TenantSettingsService } from '../service/TenantSettingsService';
import { TooManyRequestsError } from '../tooManyRequests';
import { audited } from './audit';
import { userAuthorization } from './authorizedUser';

/** What the routes for signed-in users need. */
export interface UserRoutesOptions {
  settings: TenantSettingsService;
  queue: MailQueue;
  tenants: MailerTenantResolver;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  connectionTester: ConnectionTester;
  /** Whether the tenant's sender can reach the inbox (SPF, DKIM, DMARC). */
  senderCheck: SenderCheck;
  /** Who changed which keys and who tested the connection, for the settings page. */
  history: SettingsHistory;
}

/** Connection tests open SMTP connections and may send mail: a few a minute per user. */
const CONNECTION_TESTS_PER_MINUTE = 10;
/** Sender checks read DNS: the card runs one with each connection test and on demand. */
const SENDER_CHECKS_PER_MINUTE = 20;
/**
 * Saves look the server's name up to check it against the server policy:
 * without a limit, refusals would let a script map internal host names.
 * A person saving settings never comes near it.
 */
const SETTINGS_CHANGES_PER_MINUTE = 30;

/**
 * The routes of the Notification settings page: settings, their history,
 * their test, the sender check and the delivery summary. Users only: a plugin's service token is refused,
 * since Backstage lets every service principal past permission checks.
 */
export function userRoutes(options: UserRoutesOptions): express.Router {
  const { settings, queue, auditor } = options;
  const router = Router();

  /** The user, its tenant, and the answer to each permission; throws unless the first is allowed. */
  const authorizedUser = userAuthorization(options);

  router.get('/settings', async (req, res) => {
    const { tenantId } = await authorizedUser(
      req,
      mailerSettingsReadPermission,
    );
    res.json(await settings.getSettings(tenantId));
  });

  router.get('/settings/history', async (req, res) => {
    const { tenantId } = await authorizedUser(
      req,
      mailerSettingsReadPermission,
    );
    res.json(await options.history.list(tenantId));
  });

  router.get('/status', async (req, res) => {
    const { tenantId } = await authorizedUser(
      req,
      mailerSettingsReadPermission,
    );
    res.json(await settings.getStatus(tenantId));
  });

  const settingsChangeLimit = new PerUserRateLimit(
    SETTINGS_CHANGES_PER_MINUTE,
    60_000,
  );
  const assertMayChange = (userRef: string) => {
    if (!settingsChangeLimit.tryAcquire(userRef)) {
      throw new TooManyRequestsError(
        `At most ${SETTINGS_CHANGES_PER_MINUTE} settings changes a minute; try again shortly`,
      );
    }
  };

  router.put('/settings', express.json(), async (req, res) => {
    const { tenantId, userRef } = await authorizedUser(
      req,
      mailerSettingsManagePermission,
    );
    assertMayChange(userRef);
    const change = toSettingsChange(
      parseBody(settingsUpdateBody, req.body).values,
    );
    const meta = { tenantId, ...keyNames(Object.keys(change)) };
    res.json(
      await audited(auditor, req, { eventId: 'settings-update', meta }, () =>
        settings.updateSettings(tenantId, change, userRef),
      ),
    );
  });

  router.delete('/settings/:key', async (req, res) => {
    const { tenantId, userRef } = await authorizedUser(
      req,
      mailerSettingsManagePermission,
    );
    assertMayChange(userRef);
    const key = req.params.key;
    const meta = { tenantId, ...keyNames([key]), removed: true };
    res.json(
      await audited(auditor, req, { eventId: 'settings-update', meta }, () =>
        settings.removeSetting(tenantId, key, userRef),
      ),
    );
  });

  const connectionTestLimit = new PerUserRateLimit(
    CONNECTION_TESTS_PER_MINUTE,
    60_000,
  );
  router.post('/connection-test', express.json(), async (req, res) => {
    const { tenantId, userRef } = await authorizedUser(
      req,
      mailerSettingsManagePermission,
    );
    const body = parseBody(connectionTestBody, req.body);
    const meta = {
      tenantId,
      ...keyNames(Object.keys(body.values ?? {})),
      testMessageRequested: body.sendTo !== undefined,
    };
    // Audited because it can send mail and use the stored password; never with values.
    const result = await audited(
      auditor,
      req,
      { eventId: 'connection-test', meta },
      async addMeta => {
        if (!connectionTestLimit.tryAcquire(userRef)) {
          throw new TooManyRequestsError(
            `At most ${CONNECTION_TESTS_PER_MINUTE} connection tests a minute; try again shortly`,
          );
        }
        const tested = await options.connectionTester.test(
          tenantId,
          {
            values: body.values && toSettingsChange(body.values),
            sendTo: body.sendTo,
          },
          {
            onServer: server =>
              addMeta({ host: server.host, port: server.port }),
            actor: userRef,
          },
        );
        addMeta({ outcome: tested.outcome, messageSent: tested.messageSent });
        return tested;
      },
    );
    res.json(result);
  });

  const senderCheckLimit = new PerUserRateLimit(
    SENDER_CHECKS_PER_MINUTE,
    60_000,
  );
  // Not audited, as reads are not: it reads public DNS records, and sends,
  // stores and uses no secret.
  router.post('/sender-check', express.json(), async (req, res) => {
    const { tenantId, userRef } = await authorizedUser(
      req,
      mailerSettingsManagePermission,
    );
    const body = parseBody(senderCheckBody, req.body);
    if (!senderCheckLimit.tryAcquire(userRef)) {
      throw new TooManyRequestsError(
        `At most ${SENDER_CHECKS_PER_MINUTE} sender checks a minute; try again shortly`,
      );
    }
    res.json(
      await options.senderCheck.check(tenantId, {
        values: body.values && toSettingsChange(body.values),
        refresh: body.refresh,
      }),
    );
  });

  router.get('/delivery-summary', async (req, res) => {
    const {
      tenantId,
      allowed: [canManage],
    } = await authorizedUser(
      req,
      mailerDeliveryReadPermission,
      mailerSettingsManagePermission,
    );
    res.json(await queue.summary(tenantId, { revealRecipients: canManage }));
  });

  return router;
}

/**
 * The setting names of a request, for an audit record. Names the mailer does
 * not know are only counted: they are the caller's text, and could be anything.
 */
function keyNames(keys: string[]): { keys: string[]; unknownKeys?: number } {
  const known = keys.filter(key => findSettingKey(key));
  const unknown = keys.length - known.length;
  return unknown > 0 ? { keys: known, unknownKeys: unknown } : { keys: known };
}
