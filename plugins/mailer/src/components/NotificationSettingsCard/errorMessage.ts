import { isError, ResponseError } from '@backstage/errors';

/**
 * The text to show for a failed request. A ResponseError's own message only
 * says "Request failed with 400"; the server's words are in its cause.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof ResponseError) return error.cause.message;
  return isError(error) ? error.message : String(error);
}
