// How the card presents a key: the kind of field, and what a new field starts with.
import { SettingKeyDefinition } from './types';

/**
 * How a key's value is entered: `choice` from its list, `multiline` for PEM
 * text (an `<input>` would drop the line breaks PEM needs), `line` otherwise.
 *
 * @public
 */
export type SettingInputKind = 'choice' | 'multiline' | 'line';

/**
 * How the card lets a user enter the value of `definition`.
 *
 * @public
 */
export function settingInputKind(
  definition: SettingKeyDefinition,
): SettingInputKind {
  if (definition.type === 'choice') return 'choice';
  if (definition.type === 'certificates' || definition.type === 'privateKey') {
    return 'multiline';
  }
  return 'line';
}

/**
 * What the card puts in a field when the key is added: the suggestion for these settings, else the default.
 *
 * @public
 */
export function suggestedValueOf(
  definition: SettingKeyDefinition,
  values: ReadonlyMap<string, string>,
): string | undefined {
  return definition.suggestedValue?.(values) ?? definition.defaultValue;
}
