/**
 * One key a tenant has set. Secret keys carry no value, only the fact that one is stored.
 *
 * @public
 */
export interface SettingView {
  key: string;
  /** Absent for secret keys. */
  value?: string;
  set: true;
  secret: boolean;
}

/**
 * Which server the tenant's mail goes through now.
 *
 * @public
 */
export interface MailerStatus {
  /** `custom` once every required key is set, `default` otherwise. */
  server: 'custom' | 'default';
  /** The required keys still missing before the custom server is used. */
  missingKeys: string[];
  /** The From address mail is sent with now. */
  sender: string;
  /**
   * Stored secrets encrypted with a key the portal no longer has (by key
   * id). Mail through the tenant's own server waits until the portal
   * operator adds the key back or the secret is entered again.
   */
  secretsWithMissingKey?: Array<{ key: string; keyId: string }>;
}

/**
 * The body of `GET /settings`, and of the answer to every change.
 *
 * @public
 */
export interface NotificationSettingsResponse {
  settings: SettingView[];
  status: MailerStatus;
}

/**
 * The body of `PUT /settings`: see `SettingsChange`.
 *
 * @public
 */
export interface SettingsUpdateRequest {
  values: Record<string, string | null>;
}

/**
 * The answer of `POST /messages`: the id of the queued message.
 *
 * @public
 */
export interface QueuedMessageResponse {
  id: string;
}
