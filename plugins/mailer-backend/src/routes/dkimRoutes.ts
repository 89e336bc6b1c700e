import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  mailerSettingsManagePermission,
  mailerSettingsReadPermission,
} from '@elixeum/plugin-mailer-common';
import { MailerTenantResolver } from '@elixeum/plugin-mailer-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseBody } from '../requestBodies';
import { DkimKeys } from '../service/DkimKeys';
import { PerUserRateLimit } from '../service/PerUserRateLimit';
import { TooManyRequestsError } from '../tooManyRequests';
import { audited } from './audit';
import { userAuthorization } from './authorizedUser';

/** What the DKIM key routes need. */
export interface DkimRoutesOptions {
  dkimKeys: DkimKeys;
  tenants: MailerTenantResolver;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}

/** Making an RSA key takes the CPU a moment: a few a minute per user. */
const KEYS_PER_MINUTE = 5;

const dkimKeyBody = z
  .object({
    domain: z.string().max(253).optional(),
    selector: z.string().max(253).optional(),
  })
  .strict();

/**
 * The card's DKIM key: the record to publish for the stored key (for
 * readers of the settings), and a new key made in the backend (for those
 * who manage them). Users only, as the other settings routes.
 */
export function dkimRoutes(options: DkimRoutesOptions): express.Router {
  const { dkimKeys, auditor } = options;
  const router = Router();
  const authorizedUser = userAuthorization(options);
  const limit = new PerUserRateLimit(KEYS_PER_MINUTE, 60_000);

  router.get('/dkim-key', async (req, res) => {
    const { tenantId } = await authorizedUser(
      req,
      mailerSettingsReadPermission,
    );
    res.json(await dkimKeys.current(tenantId));
  });

  router.post('/dkim-key', express.json(), async (req, res) => {
    const { tenantId, userRef } = await authorizedUser(
      req,
      mailerSettingsManagePermission,
    );
    const body = parseBody(dkimKeyBody, req.body ?? {});
    if (!limit.tryAcquire(userRef)) {
      throw new TooManyRequestsError(
        `At most ${KEYS_PER_MINUTE} DKIM keys a minute; try again shortly`,
      );
    }
    // The settings history records the change too; the key is in neither.
    const meta = { tenantId, keys: ['SMTP.DKIM.PrivateKey'] };
    res.json(
      await audited(
        auditor,
        req,
        { eventId: 'dkim-key-generate', meta },
        async addMeta => {
          const generated = await dkimKeys.generate(tenantId, body, userRef);
          addMeta({
            domain: generated.key?.domain ?? null,
            selector: generated.key?.selector ?? null,
          });
          return generated;
        },
      ),
    );
  });

  return router;
}
