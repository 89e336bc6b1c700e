import { SMTP_KEYS } from './keys';
import { SettingValues } from './types';

// What the settings say about how mail is sent; the catalog's conditions.

/**
 * `smtp` (default) or `microsoft-graph`.
 *
 * @public
 */
export const transportOf = (values: SettingValues) =>
  values.get(SMTP_KEYS.transport) ?? 'smtp';

/**
 * The SMTP login: `password` (LOGIN or PLAIN, the default), `xoauth2` or `none`.
 *
 * @public
 */
export function loginOf(
  values: SettingValues,
): 'password' | 'xoauth2' | 'none' {
  const method = values.get(SMTP_KEYS.authMethod);
  if (method === 'xoauth2' || method === 'none') return method;
  return 'password';
}

/**
 * Sent over SMTP, to a server of the tenant's.
 *
 * @public
 */
export const usesSmtp = (values: SettingValues) =>
  transportOf(values) === 'smtp';

/**
 * Sent through Microsoft Graph.
 *
 * @public
 */
export const usesGraph = (values: SettingValues) =>
  transportOf(values) === 'microsoft-graph';

/**
 * The OAuth provider that issues the tokens, when OAuth is used at all.
 *
 * @public
 */
export function oauthProviderOf(
  values: SettingValues,
): 'microsoft' | 'google' | 'refresh-token' | undefined {
  if (usesGraph(values)) return 'microsoft';
  if (!usesSmtp(values) || loginOf(values) !== 'xoauth2') return undefined;
  const provider = values.get(SMTP_KEYS.oauthProvider);
  return provider === 'microsoft' ||
    provider === 'google' ||
    provider === 'refresh-token'
    ? provider
    : undefined;
}

/** A condition: the tokens come from one of `providers`. */
export const oauthFrom =
  (...providers: Array<ReturnType<typeof oauthProviderOf>>) =>
  (values: SettingValues) => {
    const provider = oauthProviderOf(values);
    return provider !== undefined && providers.includes(provider);
  };

/**
 * The connection security used while `SMTP.Security` is not set: TLS from
 * the first byte on port 465, STARTTLS on any other port.
 *
 * @public
 */
export function securityForPort(
  port: string | number | undefined,
): 'tls' | 'starttls' {
  return Number(port) === 465 ? 'tls' : 'starttls';
}

/**
 * The OAuth2 provider that fits a well-known server, e.g. `microsoft` for smtp.office365.com.
 *
 * @public
 */
export function oauthProviderForServer(
  server: string | undefined,
): 'microsoft' | 'google' | undefined {
  const host = server?.toLowerCase() ?? '';
  if (/(^|\.)(office365|outlook)\.com$/.test(host)) return 'microsoft';
  if (/(^|\.)(gmail|googlemail|google)\.com$/.test(host)) return 'google';
  return undefined;
}
