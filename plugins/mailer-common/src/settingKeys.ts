/** How a setting's value is written and checked. */
export type SettingValueType =
  | 'serverAddress'
  | 'port'
  | 'text'
  | 'email'
  | 'secret'
  | 'choice'
  | 'positiveInteger';

/** One key of a tenant's notification settings, as the card and the API know it. */
export interface SettingKeyDefinition {
  key: string;
  label: string;
  /** Help text shown under the field. */
  description: string;
  type: SettingValueType;
  /** All required keys must be set before the tenant's own server is used. */
  required: boolean;
  /** Secret values are encrypted at rest and never leave the backend. */
  secret: boolean;
  /** The value used while the key is not set; also the card's suggestion. */
  defaultValue?: string;
  /** The allowed values of a `choice` key. */
  choices?: readonly string[];
}

/** The names of the SMTP keys, for code that refers to one of them. */
export const SMTP_KEYS = {
  server: 'SMTP.Server',
  port: 'SMTP.Port',
  username: 'SMTP.Username',
  password: 'SMTP.Password',
  security: 'SMTP.Security',
  from: 'SMTP.From',
  rateLimit: 'SMTP.RateLimit',
} as const;

/** Every key a tenant may set, in the order the card shows them. */
export const settingKeyCatalog: readonly SettingKeyDefinition[] = [
  {
    key: SMTP_KEYS.server,
    label: 'SMTP server',
    description:
      'Host name or IP address of your SMTP server, e.g. smtp.office365.com or smtp.gmail.com.',
    type: 'serverAddress',
    required: true,
    secret: false,
  },
  {
    key: SMTP_KEYS.port,
    label: 'SMTP port',
    description:
      'Usually 587 (submission with STARTTLS). Use 465 for servers that expect TLS from the first byte.',
    type: 'port',
    required: true,
    secret: false,
    defaultValue: '587',
  },
  {
    key: SMTP_KEYS.username,
    label: 'Username',
    description:
      'The account that signs in to the SMTP server, usually a mailbox address.',
    type: 'text',
    required: true,
    secret: false,
  },
  {
    key: SMTP_KEYS.password,
    label: 'Password',
    description:
      'Stored encrypted and never shown again. Leave blank to keep the stored password.',
    type: 'secret',
    required: true,
    secret: true,
  },
  {
    key: SMTP_KEYS.security,
    label: 'Connection security',
    description:
      'starttls: upgrade to TLS after connecting (port 587). tls: TLS from the start (port 465). none: no encryption, only for a relay on a trusted network. When not set: tls on port 465, starttls otherwise.',
    type: 'choice',
    required: false,
    secret: false,
    choices: ['starttls', 'tls', 'none'],
  },
  {
    key: SMTP_KEYS.from,
    label: 'Sender address',
    description:
      'The From address of the mail sent through your server. When not set, the username is used if it is a mail address. Office 365 and Gmail only accept a mailbox the account may send as.',
    type: 'email',
    required: false,
    secret: false,
  },
  {
    key: SMTP_KEYS.rateLimit,
    label: 'Messages per minute',
    description:
      'The most messages sent through your server per minute, across all portal replicas. Office 365 allows 30 messages a minute and 10,000 recipients a day per mailbox; Gmail about 2,000 a day. When not set, mail is sent as fast as the server accepts it.',
    type: 'positiveInteger',
    required: false,
    secret: false,
  },
];

const definitionsByKey = new Map(settingKeyCatalog.map(d => [d.key, d]));

/** The catalog entry of a key, or undefined for a key the mailer does not know. */
export function findSettingKey(key: string): SettingKeyDefinition | undefined {
  return definitionsByKey.get(key);
}

/** The required keys that are not among `setKeys`, in catalog order. */
export function findMissingRequiredKeys(setKeys: Iterable<string>): string[] {
  const present = new Set(setKeys);
  return settingKeyCatalog
    .filter(d => d.required && !present.has(d.key))
    .map(d => d.key);
}
