import { isError, ResponseError } from '@backstage/errors';

/**
 * The text to show for a failed request. A ResponseError's own message only
 * says "Request failed with 400"; the server's words are in its cause.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof ResponseError) return error.cause.message;
  return isError(error) ? error.message : String(error);
}

/**
 * The setting key a refusal is about, where the server's error body names
 * it (`error.key`, e.g. SMTP.Port for a port its policy does not allow).
 */
export function errorKey(error: unknown): string | undefined {
  if (!(error instanceof ResponseError)) return undefined;
  const key = (error.cause as { key?: unknown }).key;
  return typeof key === 'string' ? key : undefined;
}
