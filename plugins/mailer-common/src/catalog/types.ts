/**
 * How a setting's value is written and checked.
 *
 * @public
 */
export type SettingValueType =
  | 'serverAddress'
  | 'hostName'
  | 'port'
  | 'text'
  | 'displayName'
  | 'email'
  | 'httpsUrl'
  | 'secret'
  | 'privateKey'
  | 'certificates'
  | 'choice'
  | 'positiveInteger';

/**
 * A tenant's settings as far as deciding which keys apply needs them: the
 * value of every non-secret key, and any text (e.g. `set`) for a secret
 * that is stored.
 *
 * @public
 */
export type SettingValues = ReadonlyMap<string, string>;

/**
 * One key of a tenant's notification settings, as the card and the API know it.
 *
 * @public
 */
export interface SettingKeyDefinition {
  key: string;
  label: string;
  /** Help text shown under the field. */
  description: string;
  type: SettingValueType;
  /**
   * Must be set, where it applies, before the tenant's own server is used:
   * e.g. `SMTP.Password` only with a password login.
   */
  required: boolean;
  /** Secret values are encrypted at rest and never leave the backend. */
  secret: boolean;
  /** The value used while the key is not set; also the card's suggestion. */
  defaultValue?: string;
  /**
   * The card's suggestion when the default depends on other settings, e.g.
   * `SMTP.Security` tls on port 465 and starttls otherwise. Undefined: no
   * suggestion beyond `defaultValue`.
   */
  suggestedValue?: (values: SettingValues) => string | undefined;
  /** The allowed values of a `choice` key. */
  choices?: readonly string[];
  /**
   * Whether the key means anything with the other settings, e.g. the OAuth
   * keys only with `SMTP.AuthMethod` xoauth2. Always, when absent.
   */
  appliesWhen?: (values: SettingValues) => boolean;
  /**
   * Changing this key while a secret is stored requires the secret again:
   * the keys that decide where, and how, a secret travels.
   */
  bindsSecrets?: boolean;
}
