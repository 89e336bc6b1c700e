import { HttpAuthService } from '@backstage/backend-plugin-api';
import { IDEMPOTENCY_KEY_HEADER } from '@elixeum/plugin-mailer-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { SenderOperations } from '../service/SenderOperations';

/** What the routes for other plugins need. */
export interface ServiceRoutesOptions {
  operations: SenderOperations;
  httpAuth: HttpAuthService;
}

/** Mail can carry attachments, so the send routes take larger bodies than the rest. */
const MAX_MESSAGE_BODY = '25mb';

/**
 * The routes other plugins send mail through, with their service tokens
 * (`mailerServiceRef` when the mailer runs in another backend). Services
 * only: users cannot queue mail or read delivery records here. Every route
 * acts for the tenant the resolver gives the caller (see `SenderOperations`).
 */
export function serviceRoutes(options: ServiceRoutesOptions): express.Router {
  const { operations, httpAuth } = options;
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
      const queued = await operations.sendMessage(
        credentials,
        req.body,
        req.get(IDEMPOTENCY_KEY_HEADER),
      );
      // A repeated key answers as the first send did: the same 202 and id.
      res.status(202).json(queued);
    },
  );

  router.post(
    '/messages/batch',
    express.json({ limit: MAX_MESSAGE_BODY }),
    async (req, res) => {
      const credentials = await serviceCredentials(req);
      // On the wire each message carries its key beside the fields
      // `POST /messages` takes; checked by the operation.
      const body = req.body as { messages?: unknown };
      const messages = Array.isArray(body?.messages) ? body.messages : [];
      const results = await operations.sendMessages(
        credentials,
        messages.map(m => {
          const { idempotencyKey, ...request } = (m ?? {}) as {
            idempotencyKey?: unknown;
          };
          return { request, idempotencyKey: idempotencyKey as string };
        }),
      );
      res.status(200).json({ results });
    },
  );

  router.get('/messages/:id', async (req, res) => {
    const credentials = await serviceCredentials(req);
    res.json(
      await operations.getStatus(credentials, req.params.id, req.query as {}),
    );
  });

  router.post(
    '/campaigns',
    express.json({ limit: MAX_MESSAGE_BODY }),
    async (req, res) => {
      const credentials = await serviceCredentials(req);
      res
        .status(201)
        .json(await operations.createCampaign(credentials, req.body));
    },
  );

  router.post(
    '/campaigns/:id/recipients',
    express.json({ limit: MAX_MESSAGE_BODY }),
    async (req, res) => {
      const credentials = await serviceCredentials(req);
      res.json(
        await operations.addRecipients(credentials, req.params.id, req.body),
      );
    },
  );

  // A sender whose recipient list failed half-way withdraws the campaign.
  router.delete('/campaigns/:id', async (req, res) => {
    const credentials = await serviceCredentials(req);
    res.json(
      await operations.cancelCampaign(
        credentials,
        req.params.id,
        req.query as {},
      ),
    );
  });

  return router;
}
