import { CustomErrorBase, serializeError } from '@backstage/errors';
import { ErrorRequestHandler } from 'express';

/** Too many requests of one kind from one user. */
export class TooManyRequestsError extends CustomErrorBase {
  name = 'TooManyRequestsError' as const;
}

/**
 * Answers `TooManyRequestsError` with 429 in Backstage's standard error body;
 * Backstage's own error handler knows no 429. Everything else passes on.
 */
export const tooManyRequestsHandler: ErrorRequestHandler = (
  error,
  req,
  res,
  next,
) => {
  if (!(error instanceof TooManyRequestsError)) {
    next(error);
    return;
  }
  res.status(429).json({
    error: serializeError(error),
    request: { method: req.method, url: req.originalUrl },
    response: { statusCode: 429 },
  });
};
