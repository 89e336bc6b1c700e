import { HttpAuthService } from '@backstage/backend-plugin-api';
import {
  BulkMailTemplate,
  BulkRecipient,
  IDEMPOTENCY_KEY_HEADER,
  MailMessage,
} from '@elixeum/plugin-mailer-common';
import { MailerTenantResolver } from '@elixeum/plugin-mailer-node';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import {
  addRecipientsBody,
  createCampaignBody,
  idParameter,
  parseBody,
  parseIdempotencyKey,
  sendMessageBody,
  statusQuery,
  tenantQuery,
} from '../requestBodies';
import { MailQueue } from '../service/MailQueue';
import { resolveSenderTenant } from '../tenancy/resolveSenderTenant';

/** What the routes for other plugins need. */
export interface ServiceRoutesOptions {
  queue: MailQueue;
  tenants: MailerTenantResolver;
  httpAuth: HttpAuthService;
}

/** Callers may wait this long for a message to be delivered; they ask again after. */
const MAX_STATUS_WAIT_MS = 25_000;

/** Mail can carry attachments, so the send routes take larger bodies than the rest. */
const MAX_MESSAGE_BODY = '25mb';

/**
 * The routes other plugins send mail through, with their service tokens
 * (`mailerServiceRef`). Services only: users cannot queue mail or read
 * delivery records here. Every route acts for the tenant the resolver gives
 * the caller.
 */
export function serviceRoutes(options: ServiceRoutesOptions): express.Router {
  const { queue, tenants, httpAuth } = options;
  const router = Router();

  /** The calling plugin, checked before its input is looked at. */
  function serviceCredentials(req: Request) {
    return httpAuth.credentials(req, { allow: ['service'] });
  }

  router.post(
    '/messages',
    express.json({ limit: MAX_MESSAGE_BODY }),
    async (req, res) => {
      const credentials = await serviceCredentials(req);
      const body = parseBody(sendMessageBody, req.body);
      const idempotencyKey = parseIdempotencyKey(
        req.get(IDEMPOTENCY_KEY_HEADER),
      );
      const queued = await queue.send(body.message as MailMessage, {
        tenantId: await resolveSenderTenant(tenants, {
          credentials,
          requestedTenantId: body.tenantId,
          forUser: body.forUser,
        }),
        createdBy: credentials.principal.subject,
        priority: body.priority,
        listId: body.listId,
        idempotencyKey,
      });
      // A repeated key answers as the first send did: the same 202 and id.
      res.status(202).json(queued);
    },
  );

  router.get('/messages/:id', async (req, res) => {
    const credentials = await serviceCredentials(req);
    const id = parseBody(idParameter, req.params.id);
    const query = parseBody(statusQuery, req.query);
    const tenantId = await resolveSenderTenant(tenants, {
      credentials,
      requestedTenantId: query.tenantId,
      forUser: query.forUser,
    });
    const waitMs = Math.min(Number(query.waitMs ?? 0), MAX_STATUS_WAIT_MS);
    res.json(await queue.waitForFinalStatus(id, tenantId, waitMs));
  });

  router.post(
    '/campaigns',
    express.json({ limit: MAX_MESSAGE_BODY }),
    async (req, res) => {
      const credentials = await serviceCredentials(req);
      const body = parseBody(createCampaignBody, req.body);
      const created = await queue.createCampaign(
        body.template as BulkMailTemplate,
        {
          tenantId: await resolveSenderTenant(tenants, {
            credentials,
            requestedTenantId: body.tenantId,
            forUser: body.forUser,
          }),
          createdBy: credentials.principal.subject,
          priority: body.priority,
          // By default, the calling plugin's id.
          listId: body.listId,
        },
      );
      res.status(201).json(created);
    },
  );

  router.post(
    '/campaigns/:id/recipients',
    express.json({ limit: MAX_MESSAGE_BODY }),
    async (req, res) => {
      const credentials = await serviceCredentials(req);
      const campaignId = parseBody(idParameter, req.params.id);
      const body = parseBody(addRecipientsBody, req.body);
      const tenantId = await resolveSenderTenant(tenants, {
        credentials,
        requestedTenantId: body.tenantId,
        forUser: body.forUser,
      });
      res.json(
        await queue.addRecipients(
          campaignId,
          tenantId,
          body.recipients as BulkRecipient[],
          body.seq,
        ),
      );
    },
  );

  // A sender whose recipient list failed half-way withdraws the campaign.
  router.delete('/campaigns/:id', async (req, res) => {
    const credentials = await serviceCredentials(req);
    const campaignId = parseBody(idParameter, req.params.id);
    const query = parseBody(tenantQuery, req.query);
    const tenantId = await resolveSenderTenant(tenants, {
      credentials,
      requestedTenantId: query.tenantId,
      forUser: query.forUser,
    });
    res.json(await queue.cancelCampaign(campaignId, tenantId));
  });

  return router;
}
