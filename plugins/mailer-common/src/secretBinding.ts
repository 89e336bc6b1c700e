import { settingKeyCatalog } from './settingKeys';
import { SECRET_BOUND_KEYS } from './settingRequirements';
import type { SettingProblem, SettingsChange } from './settingValidation';

/**
 * What is stored for a tenant, as far as the binding of secrets needs it.
 *
 * @public
 */
export interface StoredSettingsView {
  /** The stored value of each non-secret key. */
  values: ReadonlyMap<string, string>;
  /** The secret keys that have a stored value. */
  storedSecrets: ReadonlySet<string>;
}

/**
 * The keys a secret is bound to that a change gives a new value. Removals
 * do not count: without the key the secret cannot go anywhere.
 *
 * @public
 */
export function changedBoundKeys(
  change: SettingsChange,
  stored: StoredSettingsView,
): string[] {
  return SECRET_BOUND_KEYS.filter(key => {
    const value = change[key];
    return (
      typeof value === 'string' &&
      value !== '' &&
      value !== stored.values.get(key)
    );
  });
}

/**
 * The stored secrets a change would carry to another server: it sets a key
 * the secret is bound to (e.g. `SMTP.Server`) and leaves the secret blank or
 * absent. Each must be entered again; removing the secret instead is fine.
 *
 * @public
 */
export function findSecretsToReenter(
  change: SettingsChange,
  stored: StoredSettingsView,
): SettingProblem[] {
  const changed = changedBoundKeys(change, stored);
  if (changed.length === 0) return [];
  return settingKeyCatalog
    .filter(d => d.secret && stored.storedSecrets.has(d.key))
    .filter(d => change[d.key] === undefined || change[d.key] === '')
    .map(d => ({
      key: d.key,
      message: `must be entered again for the new server (${changed.join(
        ', ',
      )} changed): a stored ${d.label.toLowerCase()} is only sent to the server it was saved for`,
    }));
}
