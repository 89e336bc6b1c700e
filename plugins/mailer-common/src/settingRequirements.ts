import { settingKeyCatalog } from './settingKeys';
import { SettingKeyDefinition, SettingValues } from './catalog/types';

export {
  loginOf,
  oauthProviderForServer,
  oauthProviderOf,
  securityForPort,
  transportOf,
  usesGraph,
  usesSmtp,
} from './catalog/conditions';

/**
 * Whether a key means anything with these settings.
 *
 * @public
 */
export function keyApplies(
  definition: SettingKeyDefinition,
  values: SettingValues,
): boolean {
  return definition.appliesWhen?.(values) ?? true;
}

/**
 * The keys that mean something with these settings, in catalog order.
 *
 * @public
 */
export function applicableKeys(values: SettingValues): SettingKeyDefinition[] {
  return settingKeyCatalog.filter(d => keyApplies(d, values));
}

/**
 * The keys that must still be set before the tenant's own server is used,
 * in catalog order: the server and a password, or the OAuth2 credentials of
 * the chosen provider, or nothing more for a relay without login.
 *
 * @public
 */
export function findMissingRequiredKeys(values: SettingValues): string[] {
  return applicableKeys(values)
    .filter(d => d.required && !values.has(d.key))
    .map(d => d.key);
}

/**
 * The keys a stored secret is bound to: where, and how, it travels. When
 * one of them changes, every stored secret must be entered again.
 *
 * @public
 */
export const SECRET_BOUND_KEYS: readonly string[] = settingKeyCatalog
  .filter(d => d.bindsSecrets)
  .map(d => d.key);
