// The settings form as plain data: which keys are shown, what is typed in
// them, and the one change a save sends. Kept free of React so the rules
// (blank secret = keep, removed key = null) are easy to read in one place.
import {
  applicableKeys,
  findSecretsToReenter,
  findSettingKey,
  SettingKeyDefinition,
  settingKeyCatalog,
  SettingsChange,
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

/** The form's fields in catalog order, each with its problem. */
export function formFields(
  values: FormValues,
  settings: SettingView[],
): SettingField[] {
  const storedKeys = new Set(settings.map(s => s.key));
  // The server's own rule: a stored password does not follow a changed server.
  const reenter = new Set(
    findSecretsToReenter(
      settingsChange(values, settings),
      storedView(settings),
    ).map(p => p.key),
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
