import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  BulkMailTemplate,
  MailMessage,
  mailerSettingsManagePermission,
  mailerSettingsReadPermission,
} from '@elixeum/plugin-mailer-common';
import { MailerTenantResolver } from '@elixeum/plugin-mailer-node';
import { JsonObject } from '@backstage/types';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import {
  addRecipientsBody,
  connectionTestBody,
  createCampaignBody,
  parseBody,
  sendMessageBody,
  settingsUpdateBody,
  toSettingsChange,
} from './requestBodies';
import { MailQueue } from './service/MailQueue';
import { ConnectionTester } from './service/ConnectionTester';
import { PerUserRateLimit } from './service/PerUserRateLimit';
import { TenantSettingsService } from './service/TenantSettingsService';
import {
  TooManyRequestsError,
  tooManyRequestsHandler,
} from './tooManyRequests';

/** What the routes need; the router itself holds no logic beyond HTTP. */
export interface RouterOptions {
  settings: TenantSettingsService;
  queue: MailQueue;
  tenants: MailerTenantResolver;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  connectionTester: ConnectionTester;
}

/** Connection tests open SMTP connections and may send mail: a few a minute per user. */
const CONNECTION_TESTS_PER_MINUTE = 10;

/** Callers may wait this long for a message to be delivered; they ask again after. */
const MAX_STATUS_WAIT_MS = 25_000;

/** Mail can carry attachments, so the send route takes larger bodies than the rest. */
const MAX_MESSAGE_BODY = '25mb';

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    settings,
    queue,
    tenants,
    httpAuth,
    permissions,
    auditor,
    connectionTester,
  } = options;
  const router = Router();

  async function authorizedTenant(
    req: Request,
    permission: BasicPermission,
  ): Promise<{ tenantId: string; credentials: BackstageCredentials }> {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Missing permission ${permission.name}`);
    }
    return {
      tenantId: await tenants.resolveTenant({ credentials }),
      credentials,
    };
  }

  /** Records a settings change. Key names only: values, and secrets above all, never go into the audit log. */
  async function audited<T>(
    req: Request,
    meta: JsonObject,
    change: () => Promise<T>,
  ): Promise<T> {
    const event = await auditor.createEvent({
      eventId: 'settings-update',
      severityLevel: 'medium',
      request: req,
      meta,
    });
    try {
      const result = await change();
      await event.success();
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  function actorOf(credentials: BackstageCredentials): string | undefined {
    const { principal } = credentials as BackstageCredentials<{
      userEntityRef?: string;
      subject?: string;
    }>;
    return principal.userEntityRef ?? principal.subject;
  }

  router.get('/settings', async (req, res) => {
    const { tenantId } = await authorizedTenant(
      req,
      mailerSettingsReadPermission,
    );
    res.json(await settings.getSettings(tenantId));
  });

  router.get('/status', async (req, res) => {
    const { tenantId } = await authorizedTenant(
      req,
      mailerSettingsReadPermission,
    );
    res.json(await settings.getStatus(tenantId));
  });

  router.put('/settings', express.json(), async (req, res) => {
    const { tenantId, credentials } = await authorizedTenant(
      req,
      mailerSettingsManagePermission,
    );
    const change = toSettingsChange(
      parseBody(settingsUpdateBody, req.body).values,
    );
    res.json(
      await audited(req, { tenantId, keys: Object.keys(change) }, () =>
        settings.updateSettings(tenantId, change, actorOf(credentials)),
      ),
    );
  });

  router.delete('/settings/:key', async (req, res) => {
    const { tenantId, credentials } = await authorizedTenant(
      req,
      mailerSettingsManagePermission,
    );
    const key = req.params.key;
    res.json(
      await audited(req, { tenantId, keys: [key], removed: true }, () =>
        settings.removeSetting(tenantId, key, actorOf(credentials)),
      ),
    );
  });

  const connectionTestLimit = new PerUserRateLimit(
    CONNECTION_TESTS_PER_MINUTE,
    60_000,
  );
  router.post('/connection-test', express.json(), async (req, res) => {
    const { tenantId, credentials } = await authorizedTenant(
      req,
      mailerSettingsManagePermission,
    );
    const body = parseBody(connectionTestBody, req.body);
    if (!connectionTestLimit.tryAcquire(actorOf(credentials) ?? 'unknown')) {
      throw new TooManyRequestsError(
        `At most ${CONNECTION_TESTS_PER_MINUTE} connection tests a minute; try again shortly`,
      );
    }
    res.json(
      await connectionTester.test(tenantId, {
        values: body.values && toSettingsChange(body.values),
        sendTo: body.sendTo,
      }),
    );
  });

  // Other plugins queue mail through these routes with their service token; users cannot.
  async function servicePrincipal(req: Request, requestedTenantId?: string) {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    const tenantId = await tenants.resolveTenant({
      credentials,
      requestedTenantId,
    });
    return { tenantId, createdBy: credentials.principal.subject };
  }

  router.post(
    '/messages',
    express.json({ limit: MAX_MESSAGE_BODY }),
    async (req, res) => {
      const body = parseBody(sendMessageBody, req.body);
      const { tenantId, createdBy } = await servicePrincipal(
        req,
        body.tenantId,
      );
      const queued = await queue.send(body.message as MailMessage, {
        tenantId,
        createdBy,
        priority: body.priority,
      });
      res.status(202).json(queued);
    },
  );

  router.get('/messages/:id', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['service'] });
    const waitMs = Math.min(Number(req.query.waitMs) || 0, MAX_STATUS_WAIT_MS);
    res.json(await queue.waitForFinalStatus(req.params.id, waitMs));
  });

  router.post(
    '/campaigns',
    express.json({ limit: MAX_MESSAGE_BODY }),
    async (req, res) => {
      const body = parseBody(createCampaignBody, req.body);
      const { tenantId, createdBy } = await servicePrincipal(
        req,
        body.tenantId,
      );
      const created = await queue.createCampaign(
        body.template as BulkMailTemplate,
        {
          tenantId,
          createdBy,
          priority: body.priority,
        },
      );
      res.status(201).json(created);
    },
  );

  router.post(
    '/campaigns/:id/recipients',
    express.json({ limit: MAX_MESSAGE_BODY }),
    async (req, res) => {
      const body = parseBody(addRecipientsBody, req.body);
      const { tenantId } = await servicePrincipal(req, body.tenantId);
      res.json(
        await queue.addRecipients(req.params.id, tenantId, body.recipients),
      );
    },
  );

  router.get('/delivery-summary', async (req, res) => {
    const { tenantId } = await authorizedTenant(
      req,
      mailerSettingsReadPermission,
    );
    res.json(await queue.summary(tenantId));
  });

  router.use(tooManyRequestsHandler);
  return router;
}
