/**
 * An error as a log line may show it: its class and code, never its message.
 * Database drivers put the SQL and its bound values (recipient addresses,
 * message bodies) into the message, so the message stays out of logs.
 */
export function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'unknown error';
  const { name, code } = error as { name?: unknown; code?: unknown };
  const kind = typeof name === 'string' && name ? name : 'Error';
  return typeof code === 'string' || typeof code === 'number'
    ? `${kind} (${code})`
    : kind;
}
