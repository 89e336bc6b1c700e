// The settings form as plain data: which keys are shown, what is typed in
// them, and the one change a save sends. Kept free of React so the rules
// (blank secret = keep, removed key = null) are easy to read in one place.
import {
  applicableKeys,
  findSecretsNoLongerUsed,
  findSecretsToReenter,
  findSettingKey,
  SettingKeyDefinition,
  settingKeyCatalog,
  SettingsChange,
  MailerStatus,
  SettingView,
  StoredSettingsView,
  suggestedValueOf,
  validateSettingValue,
} from '@elixeum/plugin-mailer-common';

/** What is typed in the form, by key. A key is shown as a field while it is here. */
export type FormValues = Record<string, string>;

/** One field of the form. */
export interface SettingField {
  definition: SettingKeyDefinition;
  value: string;
  /** The server holds a value for this key. */
  stored: boolean;
  /**
   * A stored secret that must be typed again, because the server, port,
   * username or security it belongs to was changed in this edit.
   */
  mustReenter: boolean;
  /**
   * A stored secret the edited settings no longer use (the password, once
   * the login method is xoauth2): the server removes it with the save.
   */
  removedOnSave: boolean;
  /** The encryption key id a stored secret was saved with, when the portal no longer has that key. */
  missingKeyId?: string;
  /** What is wrong with the value, fit to show under the field. */
  problem?: string;
}

/** The form as loaded: every stored key, secrets blank (the server never sends them). */
export function initialFormValues(settings: SettingView[]): FormValues {
  const values: FormValues = {};
  for (const setting of settings) {
    // Keys outside the catalog are left out: the server accepts no change to them.
    if (findSettingKey(setting.key)) {
      values[setting.key] = setting.secret ? '' : (setting.value ?? '');
    }
  }
  return values;
}

/**
 * What a field starts with when added: its stored value if it was removed in
 * this edit, else the catalog's suggestion for what is typed (e.g.
 * `SMTP.Security` tls when the port is 465), else blank.
 */
export function addedFieldValue(
  key: string,
  settings: SettingView[],
  values: FormValues = {},
): string {
  const stored = settings.find(s => s.key === key);
  if (stored) return stored.secret ? '' : (stored.value ?? '');
  const definition = findSettingKey(key);
  if (!definition) return '';
  return suggestedValueOf(definition, new Map(Object.entries(values))) ?? '';
}

/** Why a value cannot be saved, or undefined. */
export function fieldProblem(
  definition: SettingKeyDefinition,
  value: string,
  stored: boolean,
): string | undefined {
  // A blank secret keeps the stored one, so it only counts as empty when nothing is stored.
  if (definition.secret && stored && value === '') return undefined;
  // A choice left at "Choose…" says what there is to choose from.
  if (definition.type === 'choice' && value === '') {
    return `${definition.label} must be one of: ${definition.choices?.join(', ')}`;
  }
  const problem = validateSettingValue(definition, value);
  return problem && `${definition.label} ${problem}`;
}

/** The stored settings as the shared secret-binding rule reads them. */
function storedView(settings: SettingView[]): StoredSettingsView {
  return {
    values: new Map(
      settings.flatMap(s =>
        !s.secret && s.value !== undefined ? [[s.key, s.value]] : [],
      ),
    ),
    storedSecrets: new Set(settings.filter(s => s.secret).map(s => s.key)),
  };
}

/**
 * The form's fields in catalog order, each with its problem. `status` is
 * the saved status, for the secrets stored under a missing encryption key.
 */
export function formFields(
  values: FormValues,
  settings: SettingView[],
  status?: MailerStatus,
): SettingField[] {
  const storedKeys = new Set(settings.map(s => s.key));
  const change = settingsChange(values, settings);
  // The server's own rules: a stored password does not follow a changed
  // server, and one the new login method does not use is removed.
  const reenter = new Set(
    findSecretsToReenter(change, storedView(settings)).map(p => p.key),
  );
  const unused = new Set(findSecretsNoLongerUsed(change, storedView(settings)));
  const missingKeyIds = new Map(
    (status?.secretsWithMissingKey ?? []).map(m => [m.key, m.keyId]),
  );
  return settingKeyCatalog
    .filter(definition => definition.key in values)
    .map(definition => {
      const value = values[definition.key];
      const stored = storedKeys.has(definition.key);
      const mustReenter = reenter.has(definition.key);
      return {
        definition,
        value,
        stored,
        mustReenter,
        removedOnSave: unused.has(definition.key),
        missingKeyId: missingKeyIds.get(definition.key),
        problem: mustReenter
          ? `Enter the ${definition.label.toLowerCase()} again for the new server: a stored ${definition.label.toLowerCase()} is only sent to the server it was saved for`
          : fieldProblem(definition, value, stored),
      };
    });
}

/**
 * The keys not in the form that mean something with what is typed, for the
 * Add menu: choosing OAuth2 and a provider offers exactly that provider's keys.
 */
export function addableKeys(values: FormValues): SettingKeyDefinition[] {
  return applicableKeys(new Map(Object.entries(values))).filter(
    definition => !(definition.key in values),
  );
}

/**
 * The change a save sends: new and edited values, and null for each stored
 * key removed from the form. Unchanged values and blank secrets are left out,
 * so the server keeps them as they are.
 */
export function settingsChange(
  values: FormValues,
  settings: SettingView[],
): SettingsChange {
  const change: SettingsChange = {};
  const stored = new Map(settings.map(s => [s.key, s]));
  for (const [key, value] of Object.entries(values)) {
    if (findSettingKey(key)?.secret) {
      if (value !== '') change[key] = value;
    } else if (stored.get(key)?.value !== value) {
      change[key] = value;
    }
  }
  for (const key of stored.keys()) {
    if (findSettingKey(key) && !(key in values)) change[key] = null;
  }
  return change;
}

/** What a save does to a stored value it touches. */
export type FateOnSave = 'replaced' | 'removed';

/**
 * What the save of `change` does to each key it touches, including the
 * stored secrets the server removes because the new settings do not use them.
 */
export function fatesOnSave(
  change: SettingsChange,
  removedOnSave: string[],
): Record<string, FateOnSave> {
  const fates: Record<string, FateOnSave> = {};
  for (const [key, value] of Object.entries(change)) {
    fates[key] = value === null ? 'removed' : 'replaced';
  }
  for (const key of removedOnSave) fates[key] = 'removed';
  return fates;
}
