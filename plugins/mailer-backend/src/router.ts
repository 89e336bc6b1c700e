import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, serializeError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  MailDeliveryError,
  MailMessage,
  mailerSettingsManagePermission,
  mailerSettingsReadPermission,
  SettingsChange,
} from '@elixeum/plugin-mailer-common';
import { MailerTenantResolver } from '@elixeum/plugin-mailer-node';
import { JsonObject } from '@backstage/types';
import express, { ErrorRequestHandler, Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { MailDelivery } from './delivery/MailDelivery';
import { TenantSettingsService } from './service/TenantSettingsService';

/** What the routes need; the router itself holds no logic beyond HTTP. */
export interface RouterOptions {
  settings: TenantSettingsService;
  delivery: MailDelivery;
  tenants: MailerTenantResolver;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}

const settingsUpdateBody = z
  .object({
    values: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  })
  .strict();

const sendMessageBody = z
  .object({
    tenantId: z.string().min(1).optional(),
    message: z.unknown(),
  })
  .strict();

/** Mail can carry attachments, so the send route takes larger bodies than the rest. */
const MAX_MESSAGE_BODY = '25mb';

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const problems = result.error.issues.map(issue =>
      issue.path.length > 0
        ? `${issue.path.join('.')}: ${issue.message}`
        : issue.message,
    );
    throw new InputError(`Invalid request body: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Numbers are accepted for convenience (`"SMTP.Port": 587`); settings are stored as text. */
function toSettingsChange(
  values: Record<string, string | number | null>,
): SettingsChange {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      typeof value === 'number' ? String(value) : value,
    ]),
  );
}

/** SMTP failures are the upstream server's, hence 502 with the standard error body. */
const mailDeliveryErrorHandler: ErrorRequestHandler = (
  error,
  req,
  res,
  next,
) => {
  if (!(error instanceof MailDeliveryError)) {
    next(error);
    return;
  }
  res.status(502).json({
    error: serializeError(error),
    request: { method: req.method, url: req.originalUrl },
    response: { statusCode: 502 },
  });
};

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { settings, delivery, tenants, httpAuth, permissions, auditor } =
    options;
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

  // Other plugins send through here with their service token; users cannot.
  router.post(
    '/messages',
    express.json({ limit: MAX_MESSAGE_BODY }),
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['service'],
      });
      const body = parseBody(sendMessageBody, req.body);
      const tenantId = await tenants.resolveTenant({
        credentials,
        requestedTenantId: body.tenantId,
      });
      res.json(await delivery.send(tenantId, body.message as MailMessage));
    },
  );

  router.use(mailDeliveryErrorHandler);
  return router;
}
