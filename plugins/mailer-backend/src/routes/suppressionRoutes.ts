import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  mailerDeliveryReadPermission,
  mailerSettingsManagePermission,
} from '@elixeum/plugin-mailer-common';
import { MailerTenantResolver } from '@elixeum/plugin-mailer-node';
import express from 'express';
import Router from 'express-promise-router';
import {
  parseBody,
  suppressionListQuery,
  suppressionRemoval,
} from '../requestBodies';
import { SuppressionList } from '../service/SuppressionList';
import { audited } from './audit';
import { userAuthorization } from './authorizedUser';

/** What the routes of the "Suppressed addresses" card need. */
export interface SuppressionRoutesOptions {
  suppressions: SuppressionList;
  tenants: MailerTenantResolver;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}

/**
 * The routes of the "Suppressed addresses" card, for signed-in users.
 * Reading takes `mailer.delivery.read`, like the delivery view, and shows
 * addresses masked to who may not manage the settings; searching for an
 * address, and removing one, take `mailer.settings.manage`.
 */
export function suppressionRoutes(
  options: SuppressionRoutesOptions,
): express.Router {
  const { suppressions, auditor } = options;
  const router = Router();
  const authorizedUser = userAuthorization(options);

  router.get('/suppressions', async (req, res) => {
    const {
      tenantId,
      allowed: [canManage],
    } = await authorizedUser(
      req,
      mailerDeliveryReadPermission,
      mailerSettingsManagePermission,
    );
    const query = parseBody(suppressionListQuery, req.query);
    // A search by a whole address would tell a masked reader it is there.
    if (query.q && !canManage) {
      throw new NotAllowedError(
        `Searching addresses needs the permission ${mailerSettingsManagePermission.name}`,
      );
    }
    res.json(
      await suppressions.page(tenantId, {
        search: query.q,
        offset: query.offset === undefined ? undefined : Number(query.offset),
        limit: query.limit === undefined ? undefined : Number(query.limit),
        reveal: canManage,
      }),
    );
  });

  // Mail goes to the address again: audited, and in the settings history.
  router.delete('/suppressions', async (req, res) => {
    const { tenantId, userRef } = await authorizedUser(
      req,
      mailerSettingsManagePermission,
    );
    const removal = parseBody(suppressionRemoval, req.query);
    // The whole address: the audit log answers who let mail go to it again.
    const meta = {
      tenantId,
      address: removal.address.trim().toLowerCase(),
      scope: removal.list ? `list:${removal.list}` : 'all-bulk',
    };
    res.json(
      await audited(
        auditor,
        req,
        { eventId: 'suppression-remove', meta },
        async addMeta => {
          const removed = await suppressions.remove(
            tenantId,
            removal.address,
            removal.list ? { list: removal.list } : 'all-bulk',
            userRef,
          );
          addMeta({ reason: removed.reason });
          return removed;
        },
      ),
    );
  });

  return router;
}
