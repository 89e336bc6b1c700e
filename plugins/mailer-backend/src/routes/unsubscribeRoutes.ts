import { LoggerService } from '@backstage/backend-plugin-api';
import express, { ErrorRequestHandler, Request } from 'express';
import Router from 'express-promise-router';
import { describeError } from '../errors/describeError';
import { PerSourceRateLimit, sourceOf } from '../service/PerSourceRateLimit';
import { Unsubscribes } from '../service/Unsubscribes';
import {
  PagePortal,
  sendDonePage,
  sendOfferPage,
  sendProblemPage,
} from './unsubscribePage';

/** What the public unsubscribe routes need. */
export interface UnsubscribeRoutesOptions {
  unsubscribes: Unsubscribes;
  portal: PagePortal;
  logger: LoggerService;
}

/** The path the routes answer under; public (see plugin.ts). */
export const UNSUBSCRIBE_PATH = '/unsubscribe';

/**
 * Requests per source a minute: a person needs two or three, and a mail
 * provider posting one-click unsubscribes for many recipients stays far
 * below. Each replica counts on its own.
 */
const REQUESTS_PER_MINUTE = 120;
/** Links that are not ours, per source a minute, before it is refused outright. */
const INVALID_LINKS_PER_MINUTE = 10;
/** A one-click body is `List-Unsubscribe=One-Click`; the page's form adds one field. */
const MAX_BODY = '4kb';

/** The body of an RFC 8058 one-click POST. */
const ONE_CLICK = ['List-Unsubscribe', 'One-Click'] as const;

/** Thrown for a body that is not a one-click form. */
class BadForm extends Error {
  constructor(
    message: string,
    readonly status: 400 | 415 = 400,
  ) {
    super(message);
  }
}

/** The fields of a form body, `application/x-www-form-urlencoded` or `multipart/form-data`. */
async function formOf(req: Request): Promise<(name: string) => unknown> {
  const type = (req.get('Content-Type') ?? '').toLowerCase();
  const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const fields = new URLSearchParams(body.toString('utf8'));
    return name => fields.get(name) ?? undefined;
  }
  if (type.startsWith('multipart/form-data')) {
    try {
      // Node's own multipart parser (undici's), on a body already capped.
      const fields = await new globalThis.Response(body, {
        headers: { 'Content-Type': req.get('Content-Type')! },
      }).formData();
      return name => fields.get(name) ?? undefined;
    } catch {
      throw new BadForm('The form could not be read.');
    }
  }
  throw new BadForm(
    'Send the form as application/x-www-form-urlencoded or multipart/form-data.',
    415,
  );
}

/**
 * The public routes of one-click unsubscribe (RFC 8058), reached from the
 * `List-Unsubscribe` link of bulk mail without signing in: the token in
 * the link says who and which list. GET shows what the link does and a
 * button, and changes nothing (mail scanners follow links); POST with
 * `List-Unsubscribe=One-Click` unsubscribes at once and answers 200,
 * without a redirect. Every answer is a small self-contained page; a link
 * that is not ours gets the same page whatever it was made to look like.
 */
export function unsubscribeRoutes(
  options: UnsubscribeRoutesOptions,
): express.Router {
  const { unsubscribes, portal } = options;
  const router = Router();
  const requests = new PerSourceRateLimit(REQUESTS_PER_MINUTE, 60_000);
  const invalidLinks = new PerSourceRateLimit(INVALID_LINKS_PER_MINUTE, 60_000);

  const problem = (
    res: express.Response,
    status: number,
    title: string,
    message: string,
    headers?: Record<string, string>,
  ) => sendProblemPage(res, status, title, message, portal, headers);
  const tooMany = (res: express.Response) =>
    problem(
      res,
      429,
      'Too many requests',
      'Too many requests came from your network. Try again in a minute.',
      { 'Retry-After': '60' },
    );
  /** The same answer for every link that is not ours: it tells nothing about any address. */
  const invalidLink = (req: Request, res: express.Response) => {
    if (!invalidLinks.tryAcquire(sourceOf(req.ip))) {
      tooMany(res);
      return;
    }
    problem(
      res,
      400,
      'This link does not work',
      'The unsubscribe link is not complete or not valid. Open it again from the email, or use the unsubscribe link of a newer email.',
    );
  };

  router.use(UNSUBSCRIBE_PATH, (req, res, next) => {
    if (!requests.tryAcquire(sourceOf(req.ip))) {
      tooMany(res);
      return;
    }
    next();
  });

  router.get(`${UNSUBSCRIBE_PATH}/:token`, (req, res) => {
    const offer = unsubscribes.offer(req.params.token);
    if (!offer) {
      invalidLink(req, res);
      return;
    }
    sendOfferPage(res, offer, portal);
  });

  router.post(
    `${UNSUBSCRIBE_PATH}/:token`,
    express.raw({ type: () => true, limit: MAX_BODY }),
    async (req, res) => {
      const offer = unsubscribes.offer(req.params.token);
      if (!offer) {
        invalidLink(req, res);
        return;
      }
      const field = await formOf(req);
      if (field(ONE_CLICK[0]) !== ONE_CLICK[1]) {
        throw new BadForm(
          'This is not a one-click unsubscribe: the form must hold List-Unsubscribe=One-Click.',
        );
      }
      const scope = field('scope') === 'all' ? 'all-bulk' : 'list';
      await unsubscribes.unsubscribe(req.params.token, scope);
      sendDonePage(res, scope, offer.listId, portal);
    },
  );

  // Anything else under the path: a link cut short or changed, or another method.
  router.use(UNSUBSCRIBE_PATH, (req, res) => {
    if (['GET', 'HEAD', 'POST'].includes(req.method)) {
      problem(
        res,
        404,
        'This link is not complete',
        'Open the unsubscribe link from the email as it is.',
      );
      return;
    }
    problem(
      res,
      405,
      'Not possible',
      'This link is opened in a browser, or used by your mail program to unsubscribe.',
      { Allow: 'GET, HEAD, POST' },
    );
  });

  router.use(UNSUBSCRIBE_PATH, unsubscribeErrors(problem, options.logger));
  return router;
}

/**
 * Errors of the public routes as pages: a body too large (413) or not a
 * form (400, 415), and anything of ours (500) without its content.
 */
function unsubscribeErrors(
  problem: (
    res: express.Response,
    status: number,
    title: string,
    message: string,
  ) => void,
  logger: LoggerService,
): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    if (error instanceof BadForm) {
      problem(res, error.status, 'Not possible', error.message);
      return;
    }
    const status = Number(error?.status ?? error?.statusCode);
    if (status === 413) {
      problem(res, 413, 'Not possible', 'The request is too large.');
      return;
    }
    if (status >= 400 && status < 500) {
      problem(res, 400, 'Not possible', 'The request could not be read.');
      return;
    }
    logger.error(
      `An unsubscribe could not be handled: ${describeError(error)}`,
    );
    problem(
      res,
      500,
      'Something went wrong',
      'Your request could not be handled just now. Try again in a few minutes.',
    );
  };
}
