import { connectionKeys } from './catalog/connectionKeys';
import { dkimKeys } from './catalog/dkimKeys';
import { limitKeys } from './catalog/limitKeys';
import { oauthKeys } from './catalog/oauthKeys';
import { senderKeys } from './catalog/senderKeys';
import { SettingKeyDefinition } from './catalog/types';

export type {
  SettingKeyDefinition,
  SettingValues,
  SettingValueType,
} from './catalog/types';
export { SMTP_KEYS } from './catalog/keys';
export type { SettingInputKind } from './catalog/cardFields';
export { settingInputKind, suggestedValueOf } from './catalog/cardFields';
export type { SendingLimits } from './catalog/limitPresets';
export {
  limitPresetForServer,
  sendingLimitsOf,
  SENDING_LIMIT_PRESETS,
} from './catalog/limitPresets';

/**
 * Every key a tenant may set, in the order the card shows them.
 *
 * @public
 */
export const settingKeyCatalog: readonly SettingKeyDefinition[] = [
  ...connectionKeys,
  ...oauthKeys,
  ...senderKeys,
  ...limitKeys,
  ...dkimKeys,
];

const definitionsByKey = new Map(settingKeyCatalog.map(d => [d.key, d]));

/**
 * The catalog entry of a key, or undefined for a key the mailer does not know.
 *
 * @public
 */
export function findSettingKey(key: string): SettingKeyDefinition | undefined {
  return definitionsByKey.get(key);
}
