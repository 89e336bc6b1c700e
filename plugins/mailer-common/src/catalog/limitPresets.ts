import { SMTP_KEYS } from './keys';

/**
 * The sending limits of a provider, as a tenant picks them with
 * `SMTP.LimitPreset`: messages a minute and recipients a day, each counted
 * across every replica of the portal. Undefined: no limit of that kind.
 *
 * @public
 */
export interface SendingLimits {
  /** Messages in any minute. */
  perMinute?: number;
  /** Recipients in any 24 hours. */
  perDay?: number;
}

/**
 * The providers whose limits a tenant can pick, by `SMTP.LimitPreset`
 * value: an Exchange Online mailbox (30 messages a minute, 10,000
 * recipients a day) and a Google Workspace account (2,000 a day; counted
 * in recipients, which is never more than Google's count of messages).
 *
 * @public
 */
export const SENDING_LIMIT_PRESETS: Readonly<
  Record<'exchange-online' | 'google-workspace', Readonly<SendingLimits>>
> = {
  'exchange-online': { perMinute: 30, perDay: 10_000 },
  'google-workspace': { perDay: 2_000 },
};

/**
 * The preset that fits the tenant's server, for the card to suggest:
 * Exchange Online for Office 365 and Microsoft Graph, Google Workspace for
 * Gmail.
 *
 * @public
 */
export function limitPresetForServer(
  server: string | undefined,
  transport: string | undefined,
): keyof typeof SENDING_LIMIT_PRESETS | undefined {
  if (transport === 'microsoft-graph') return 'exchange-online';
  const host = server?.toLowerCase() ?? '';
  if (/(^|\.)(office365|outlook)\.com$/.test(host)) return 'exchange-online';
  if (/(^|\.)(gmail|googlemail|google)\.com$/.test(host)) {
    return 'google-workspace';
  }
  return undefined;
}

/**
 * The limits a tenant's settings set: `SMTP.RateLimit` and
 * `SMTP.DailyLimit` where they are set, else those of the preset.
 *
 * @public
 */
export function sendingLimitsOf(
  values: ReadonlyMap<string, string>,
): SendingLimits {
  const name = values.get(SMTP_KEYS.limitPreset);
  const preset: SendingLimits =
    name === 'exchange-online' || name === 'google-workspace'
      ? SENDING_LIMIT_PRESETS[name]
      : {};
  const number = (key: string) => {
    const value = Number(values.get(key));
    return Number.isInteger(value) && value > 0 ? value : undefined;
  };
  const perMinute = number(SMTP_KEYS.rateLimit) ?? preset.perMinute;
  const perDay = number(SMTP_KEYS.dailyLimit) ?? preset.perDay;
  return {
    ...(perMinute !== undefined && { perMinute }),
    ...(perDay !== undefined && { perDay }),
  };
}
