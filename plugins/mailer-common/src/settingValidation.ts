import {
  hasControlCharacter,
  hasLineBreak,
  isEmailAddress,
  isHostName,
  isServerAddress,
} from './addressSyntax';
import { isPemCertificates, isPemPrivateKey } from './pemSyntax';
import { findSettingKey, SettingKeyDefinition } from './settingKeys';

/**
 * What is wrong with one key of a settings change.
 *
 * @public
 */
export interface SettingProblem {
  key: string;
  message: string;
}

/**
 * A change to a tenant's settings: a string sets the key, `null` removes it,
 * and a key that is absent stays as it is. An empty string for a secret key
 * keeps the stored secret, as a blank password field does in the card.
 *
 * @public
 */
export type SettingsChange = Record<string, string | null>;

const MAX_VALUE_LENGTH = 1024;
/** PEM bundles are long: a chain of a few certificates, or an RSA key. */
const MAX_PEM_LENGTH = 64 * 1024;
const MAX_DISPLAY_NAME_LENGTH = 200;

const isPem = (definition: SettingKeyDefinition) =>
  definition.type === 'certificates' || definition.type === 'privateKey';

/** A URL on https, with a host and without credentials in it. */
function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      url.protocol === 'https:' &&
      url.hostname !== '' &&
      url.username === '' &&
      url.password === ''
    );
  } catch {
    return false;
  }
}

function shapeProblem(
  definition: SettingKeyDefinition,
  value: string,
): string | undefined {
  switch (definition.type) {
    case 'serverAddress':
      return isServerAddress(value)
        ? undefined
        : 'must be a host name (e.g. smtp.example.com) or an IP address';
    case 'hostName':
      return isHostName(value)
        ? undefined
        : 'must be a host name such as portal.example.com';
    case 'port':
      return /^\d{1,5}$/.test(value) &&
        Number(value) >= 1 &&
        Number(value) <= 65535
        ? undefined
        : 'must be a whole number from 1 to 65535';
    case 'positiveInteger':
      return /^\d{1,7}$/.test(value) && Number(value) >= 1
        ? undefined
        : 'must be a whole number from 1 to 9999999';
    case 'email':
      return isEmailAddress(value)
        ? undefined
        : 'must be a mail address such as no-reply@example.com';
    case 'displayName':
      return value.length <= MAX_DISPLAY_NAME_LENGTH && !/["<>]/.test(value)
        ? undefined
        : `must be a name of at most ${MAX_DISPLAY_NAME_LENGTH} characters, without quotes or angle brackets`;
    case 'httpsUrl':
      return isHttpsUrl(value)
        ? undefined
        : 'must be an https:// address, e.g. https://oauth2.googleapis.com/token';
    case 'certificates':
      return isPemCertificates(value)
        ? undefined
        : 'must be one or more certificates in PEM (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)';
    case 'privateKey':
      return isPemPrivateKey(value)
        ? undefined
        : 'must be one private key in PEM (-----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----)';
    case 'choice':
      return definition.choices?.includes(value)
        ? undefined
        : `must be one of: ${definition.choices?.join(', ')}`;
    default:
      return undefined;
  }
}

/**
 * Checks one value against its key's rules. Returns a message fit to show
 * under the field, or undefined when the value is acceptable. Messages never
 * repeat the value, so a mistyped secret is not echoed back.
 *
 * @public
 */
export function validateSettingValue(
  definition: SettingKeyDefinition,
  value: string,
): string | undefined {
  const max = isPem(definition) ? MAX_PEM_LENGTH : MAX_VALUE_LENGTH;
  if (value.length > max) return `must be at most ${max} characters`;
  if (value.trim().length === 0) return 'must not be empty';
  if (definition.type === 'secret') {
    return hasControlCharacter(value)
      ? 'must not contain control characters'
      : undefined;
  }
  if (isPem(definition)) return shapeProblem(definition, value.trim());
  if (value.trim() !== value) return 'must not start or end with spaces';
  if (hasLineBreak(value)) return 'must be a single line';
  if (hasControlCharacter(value)) return 'must not contain control characters';
  return shapeProblem(definition, value);
}

/**
 * Every problem in a settings change: unknown keys, bad values and removals of keys that cannot be removed.
 *
 * @public
 */
export function findSettingsChangeProblems(
  change: SettingsChange,
): SettingProblem[] {
  const problems: SettingProblem[] = [];
  for (const [key, value] of Object.entries(change)) {
    const definition = findSettingKey(key);
    if (!definition) {
      problems.push({ key, message: 'is not a known setting' });
      continue;
    }
    if (value === null) continue;
    if (typeof value !== 'string') {
      problems.push({ key, message: 'must be a string, or null to remove it' });
      continue;
    }
    if (definition.secret && value === '') continue;
    const message = validateSettingValue(definition, value);
    if (message) problems.push({ key, message });
  }
  return problems;
}

/**
 * One line that names every key in `problems`, for an error message.
 *
 * @public
 */
export function describeSettingProblems(problems: SettingProblem[]): string {
  return problems.map(p => `${p.key} ${p.message}`).join('; ');
}
