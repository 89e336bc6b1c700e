import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, isError } from '@backstage/errors';
import { ErrorRequestHandler } from 'express';
import { randomUUID } from 'node:crypto';

/** Errors whose messages we wrote for the caller: Backstage answers them with their 4xx. */
const CLIENT_ERRORS = new Set([
  'InputError',
  'AuthenticationError',
  'NotAllowedError',
  'NotFoundError',
  'ConflictError',
  'NotModifiedError',
  'TooManyRequestsError',
]);

const SAFE_TOKEN = /^[A-Za-z0-9_.-]{1,64}$/;

function safeToken(value: unknown, fallback: string): string {
  return typeof value === 'string' && SAFE_TOKEN.test(value) ? value : fallback;
}

/** True for an error whose message may go back to the caller as it is. */
export function isClientError(error: unknown): boolean {
  return isError(error) && CLIENT_ERRORS.has(error.name);
}

/**
 * The error as it may be recorded (e.g. in an audit event): client errors as
 * they are, anything else reduced to its name and code, because a database
 * error's message carries SQL and bound values such as recipient addresses.
 */
export function withoutContent(error: unknown): Error {
  if (isClientError(error)) return error as Error;
  const e = error as { name?: unknown; code?: unknown };
  const name = safeToken(e?.name, 'Error');
  const code = safeToken(e?.code, 'UNKNOWN');
  return Object.assign(new Error(`${name} (${code})`), { code });
}

const MESSAGE_OR_CAMPAIGN = /^\/(messages|campaigns)\/([0-9a-f-]{36})(\/|$)/;

/** The message or campaign a request was about, named in the error so it can be traced. */
function subjectOf(
  path: string,
): { messageId: string } | { campaignId: string } | {} {
  const match = MESSAGE_OR_CAMPAIGN.exec(path);
  if (!match) return {};
  return match[1] === 'messages'
    ? { messageId: match[2] }
    : { campaignId: match[2] };
}

/** Body-parser's own errors, as client errors without their raw text. */
function bodyError(error: { type?: unknown; limit?: unknown }): Error {
  if (error.type === 'entity.too.large') {
    return new InputError(
      `The request body is larger than the ${error.limit} bytes this route takes`,
    );
  }
  if (error.type === 'entity.parse.failed') {
    return new InputError('The request body is not valid JSON');
  }
  return new InputError('The request body could not be read');
}

/**
 * Logs an error that is not the caller's, by its name and code and a new
 * reference to quote, never its message: knex puts SQL and bound values
 * there. Returns what the caller may be told.
 */
export function logUnexpected(
  logger: LoggerService,
  what: string,
  error: unknown,
  subject: object = {},
): { reference: string; code: string } {
  const e = error as { name?: unknown; code?: unknown };
  const reference = randomUUID();
  const name = safeToken(e?.name, 'Error');
  const code = safeToken(e?.code, 'UNKNOWN');
  logger.error(
    `${what} failed with ${name} (${code}), reference ${reference}`,
    { errorName: name, errorCode: code, reference, ...subject },
  );
  return { reference, code };
}

/**
 * The mailer's last error handler before Backstage's: client errors pass on,
 * everything else becomes a 500 with a generic message, an error code and a
 * reference to quote, and the message or campaign it concerns. The log gets
 * the same, and the error's name and code, never its message: knex puts SQL
 * and bound values there.
 */
export function errorBoundary(logger: LoggerService): ErrorRequestHandler {
  return (error, req, res, next) => {
    const typed = error as { type?: unknown };
    if (
      typeof typed?.type === 'string' &&
      /^(entity|encoding|charset|stream)\./.test(typed.type)
    ) {
      next(bodyError(typed));
      return;
    }
    if (isClientError(error)) {
      next(error);
      return;
    }
    const subject = subjectOf(req.path);
    const { reference, code } = logUnexpected(
      logger,
      `${req.method} ${req.baseUrl}${req.path}`,
      error,
      subject,
    );
    if (res.headersSent) {
      // Too late for an error body; Backstage's handler would log the error
      // in full, so end the response here.
      res.end();
      return;
    }
    res.status(500).json({
      error: {
        name: 'Error',
        message: `The mailer could not complete the request; quote reference ${reference} when reporting it`,
        code,
        reference,
        ...subject,
      },
      request: { method: req.method, url: `${req.baseUrl}${req.path}` },
      response: { statusCode: 500 },
    });
  };
}
