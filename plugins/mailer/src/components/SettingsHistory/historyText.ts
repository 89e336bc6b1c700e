import {
  ConnectionTestOutcome,
  findSettingKey,
} from '@elixeum/plugin-mailer-common';

/** How a connection test ended, in a few words. */
const OUTCOMES: Record<ConnectionTestOutcome, string> = {
  success: 'succeeded',
  'dns-failure': 'server name not found',
  'connection-refused': 'connection refused',
  timeout: 'timed out',
  'tls-failure': 'secure connection failed',
  'authentication-failed': 'login refused',
  'token-failure': 'no OAuth2 token',
  'sender-refused': 'sender refused',
  'recipient-refused': 'recipient refused',
  'server-busy': 'server busy',
  'rate-limited': 'rate limited',
  'sender-not-authenticated': 'sender not authenticated',
  'not-smtp': 'not an SMTP server',
  'not-allowed': 'server not allowed',
  'signing-failed': 'DKIM key cannot sign',
  'unknown-failure': 'failed',
};

/** A connection test's outcome in a few words; an outcome this version does not know is shown as it is. */
export function outcomeText(outcome: string): string {
  return OUTCOMES[outcome as ConnectionTestOutcome] ?? outcome;
}

/** The catalog's label of a key, e.g. "SMTP server" for SMTP.Server, if the key is known. */
export function keyLabel(key: string): string | undefined {
  return findSettingKey(key)?.label;
}

/** The name part of an entity ref: `ada` for `user:default/ada`. */
export function actorName(entityRef: string): string {
  return entityRef.slice(entityRef.lastIndexOf('/') + 1) || entityRef;
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** How long ago `iso` was, e.g. "5 minutes ago", "yesterday" or "just now". */
export function timeAgo(iso: string, now: number = Date.now()): string {
  const elapsed = now - Date.parse(iso);
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(elapsed) >= ms) {
      return format.format(-Math.round(elapsed / ms), unit);
    }
  }
  return 'just now';
}
