import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  mailerDeliveryReadPermission,
  mailerSettingsManagePermission,
} from '@elixeum/plugin-mailer-common';
import { MailerTenantResolver } from '@elixeum/plugin-mailer-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseBody } from '../requestBodies';
import { BounceIntake } from '../service/BounceIntake';
import { resolveSenderTenant } from '../tenancy/resolveSenderTenant';
import { userAuthorization } from './authorizedUser';

/** What the bounce routes need. */
export interface BounceRoutesOptions {
  bounceIntake: BounceIntake;
  tenants: MailerTenantResolver;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
}

/** A report with the whole message it returns, attachments included, fits. */
const MAX_REPORT_BODY = '10mb';

const intakeQuery = z
  .object({ tenantId: z.string().min(1).max(200).optional() })
  .strict();

const reportsQuery = z
  .object({ unmatched: z.enum(['true', 'false']).optional() })
  .strict();

/**
 * Bounces that arrive after delivery: `POST /bounces` takes one delivery
 * status notification as received (the raw message, any content type),
 * from a service only (an operator's inbound mail pipe or a provider's
 * webhook, with a service token); `GET /bounce-reports` lists what came in
 * for the delivery view, with `mailer.delivery.read`, addresses masked to
 * who may not manage the settings.
 */
export function bounceRoutes(options: BounceRoutesOptions): express.Router {
  const { bounceIntake, tenants, httpAuth } = options;
  const router = Router();
  const authorizedUser = userAuthorization(options);

  router.post(
    '/bounces',
    // Checked before the body is read: only services may send one.
    async (req, _res, next) => {
      await httpAuth.credentials(req, { allow: ['service'] });
      next();
    },
    express.raw({ type: () => true, limit: MAX_REPORT_BODY }),
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['service'],
      });
      const query = parseBody(intakeQuery, req.query);
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
        throw new InputError(
          'Send the delivery status notification as the request body, as received (e.g. Content-Type: message/rfc822)',
        );
      }
      const tenantId = await resolveSenderTenant(tenants, {
        credentials,
        requestedTenantId: query.tenantId,
      });
      res.status(202).json(await bounceIntake.take(tenantId, req.body));
    },
  );

  router.get('/bounce-reports', async (req, res) => {
    const {
      tenantId,
      allowed: [canManage],
    } = await authorizedUser(
      req,
      mailerDeliveryReadPermission,
      mailerSettingsManagePermission,
    );
    const query = parseBody(reportsQuery, req.query);
    res.json(
      await bounceIntake.recent(tenantId, {
        unmatchedOnly: query.unmatched === 'true',
        reveal: canManage,
      }),
    );
  });

  return router;
}
