import { settingKeyCatalog } from './settingKeys';
import { keyApplies, SECRET_BOUND_KEYS } from './settingRequirements';
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

/** The non-secret values as they are after `change`. */
function valuesAfter(
  change: SettingsChange,
  stored: StoredSettingsView,
): Map<string, string> {
  const values = new Map(stored.values);
  for (const [key, value] of Object.entries(change)) {
    if (value === null) values.delete(key);
    else if (value !== '') values.set(key, value);
  }
  return values;
}

/**
 * The stored secrets a change would carry to another server: it sets a key
 * the secret is bound to (e.g. `SMTP.Server`) and leaves blank or absent a
 * secret the new settings use. Each must be entered again; removing the
 * secret instead is fine. A secret the new settings do not use (the
 * password, once the login method is xoauth2) is not asked for: it is
 * removed with the change (see `findSecretsNoLongerUsed`).
 *
 * @public
 */
export function findSecretsToReenter(
  change: SettingsChange,
  stored: StoredSettingsView,
): SettingProblem[] {
  const changed = changedBoundKeys(change, stored);
  if (changed.length === 0) return [];
  const after = valuesAfter(change, stored);
  return settingKeyCatalog
    .filter(d => d.secret && stored.storedSecrets.has(d.key))
    .filter(d => change[d.key] === undefined || change[d.key] === '')
    .filter(d => keyApplies(d, after))
    .map(d => ({
      key: d.key,
      message: `must be entered again for the new server (${changed.join(
        ', ',
      )} changed): a stored ${d.label.toLowerCase()} is only sent to the server it was saved for`,
    }));
}

/**
 * The stored secrets that a change stops using: they applied before it and
 * do not after (e.g. `SMTP.Password` when the login method becomes xoauth2
 * or the transport Microsoft Graph). They are removed with the change rather
 * than kept unused, so that switching back later asks for them again
 * instead of sending an old secret to what may by then be another server.
 *
 * @public
 */
export function findSecretsNoLongerUsed(
  change: SettingsChange,
  stored: StoredSettingsView,
): string[] {
  const after = valuesAfter(change, stored);
  return settingKeyCatalog
    .filter(d => d.secret && stored.storedSecrets.has(d.key))
    .filter(d => change[d.key] === undefined || change[d.key] === '')
    .filter(d => keyApplies(d, stored.values) && !keyApplies(d, after))
    .map(d => d.key);
}
