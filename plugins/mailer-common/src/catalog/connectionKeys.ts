import { loginOf, securityForPort, usesGraph, usesSmtp } from './conditions';
import { SMTP_KEYS } from './keys';
import { SettingKeyDefinition } from './types';

/** How the portal reaches the tenant's server and logs in. */
export const connectionKeys: readonly SettingKeyDefinition[] = [
  {
    key: SMTP_KEYS.server,
    label: 'SMTP server',
    description:
      'Host name or IP address of your SMTP server, e.g. smtp.office365.com or smtp.gmail.com.',
    type: 'serverAddress',
    required: true,
    secret: false,
    appliesWhen: usesSmtp,
    bindsSecrets: true,
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
    appliesWhen: usesSmtp,
    bindsSecrets: true,
  },
  {
    key: SMTP_KEYS.username,
    label: 'Username',
    description:
      'The account that signs in to the SMTP server, usually a mailbox address. With OAuth2 and Microsoft Graph: the mailbox mail is sent from.',
    type: 'text',
    required: true,
    secret: false,
    appliesWhen: values => usesGraph(values) || loginOf(values) !== 'none',
    bindsSecrets: true,
  },
  {
    key: SMTP_KEYS.password,
    label: 'Password',
    description:
      'Stored encrypted and never shown again. Leave blank to keep the stored password, unless the server, port, username or security changes.',
    type: 'secret',
    required: true,
    secret: true,
    appliesWhen: values => usesSmtp(values) && loginOf(values) === 'password',
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
    suggestedValue: values => securityForPort(values.get(SMTP_KEYS.port)),
    appliesWhen: usesSmtp,
    bindsSecrets: true,
  },
  {
    key: SMTP_KEYS.authMethod,
    label: 'Login method',
    description:
      'login or plain: a username and password. xoauth2: OAuth2 tokens instead of a password (Office 365 and Gmail; Office 365 turns password logins off by default from the end of 2026). none: no login, for a relay that accepts the portal without one. When not set: a password, with whichever of login and plain the server offers.',
    type: 'choice',
    required: false,
    secret: false,
    choices: ['login', 'plain', 'xoauth2', 'none'],
    // What nearly every server offers; the user added the key to choose.
    suggestedValue: () => 'login',
    appliesWhen: usesSmtp,
    bindsSecrets: true,
  },
  {
    key: SMTP_KEYS.transport,
    label: 'Sent with',
    description:
      'smtp (default): through your SMTP server. microsoft-graph: through the Microsoft Graph API with an app registration, for Office 365 tenants that switched SMTP AUTH off entirely.',
    type: 'choice',
    required: false,
    secret: false,
    choices: ['smtp', 'microsoft-graph'],
    defaultValue: 'smtp',
    bindsSecrets: true,
  },
  {
    key: SMTP_KEYS.tlsCa,
    label: 'Trusted certificate authority',
    description:
      'For a server whose certificate comes from your own (private) authority: its certificates in PEM (-----BEGIN CERTIFICATE-----). Trusted for your mail only, in addition to the public authorities.',
    type: 'certificates',
    required: false,
    secret: false,
    appliesWhen: usesSmtp,
    bindsSecrets: true,
  },
  {
    key: SMTP_KEYS.tlsRejectUnauthorized,
    label: 'Verify the server certificate',
    description:
      'true (default): mail only goes to a server whose certificate is valid for SMTP.Server. false: any certificate is accepted, so anyone between the portal and the server could read your mail and password. Prefer SMTP.TLS.CA.',
    type: 'choice',
    required: false,
    secret: false,
    choices: ['true', 'false'],
    defaultValue: 'true',
    appliesWhen: usesSmtp,
    bindsSecrets: true,
  },
  {
    key: SMTP_KEYS.heloName,
    label: 'Client name (EHLO)',
    description:
      "The name the portal gives itself when it greets your server (EHLO). Some servers check it; when not set, the backend's host name.",
    type: 'hostName',
    required: false,
    secret: false,
    appliesWhen: usesSmtp,
  },
];
