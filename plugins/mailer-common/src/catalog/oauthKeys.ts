import {
  loginOf,
  oauthFrom,
  oauthProviderForServer,
  usesSmtp,
} from './conditions';
import { SMTP_KEYS } from './keys';
import { SettingKeyDefinition } from './types';

/** OAuth2 app credentials: tokens instead of a password. */
export const oauthKeys: readonly SettingKeyDefinition[] = [
  {
    key: SMTP_KEYS.oauthProvider,
    label: 'OAuth2 provider',
    description:
      'microsoft: an Entra ID app registration with a client secret (app-only, for Office 365). google: a Google Workspace service account with domain-wide delegation. refresh-token: a refresh token you obtained with consent, for Gmail or Microsoft.',
    type: 'choice',
    required: true,
    secret: false,
    choices: ['microsoft', 'google', 'refresh-token'],
    suggestedValue: values =>
      oauthProviderForServer(values.get(SMTP_KEYS.server)),
    appliesWhen: values => usesSmtp(values) && loginOf(values) === 'xoauth2',
    bindsSecrets: true,
  },
  {
    key: SMTP_KEYS.oauthTenantId,
    label: 'Microsoft tenant',
    description:
      'Your Entra ID (Azure AD) tenant: its id (a GUID) or a domain such as contoso.onmicrosoft.com.',
    type: 'text',
    required: true,
    secret: false,
    appliesWhen: oauthFrom('microsoft'),
    bindsSecrets: true,
  },
  {
    key: SMTP_KEYS.oauthClientId,
    label: 'Client id',
    description:
      'The application (client) id of the app registration that sends mail.',
    type: 'text',
    required: true,
    secret: false,
    appliesWhen: oauthFrom('microsoft', 'refresh-token'),
    bindsSecrets: true,
  },
  {
    key: SMTP_KEYS.oauthClientSecret,
    label: 'Client secret',
    description:
      'The client secret of the app registration (its value, not its id). Stored encrypted and never shown again.',
    type: 'secret',
    required: true,
    secret: true,
    appliesWhen: oauthFrom('microsoft', 'refresh-token'),
  },
  {
    key: SMTP_KEYS.oauthServiceAccountEmail,
    label: 'Service account',
    description:
      'The address of the Google service account, e.g. mailer@project.iam.gserviceaccount.com. It sends as SMTP.Username through domain-wide delegation.',
    type: 'email',
    required: true,
    secret: false,
    appliesWhen: oauthFrom('google'),
    bindsSecrets: true,
  },
  {
    key: SMTP_KEYS.oauthPrivateKey,
    label: 'Service account key',
    description:
      'The private key of the service account in PEM (-----BEGIN PRIVATE KEY-----), from its JSON key file. Stored encrypted and never shown again.',
    type: 'privateKey',
    required: true,
    secret: true,
    appliesWhen: oauthFrom('google'),
  },
  {
    key: SMTP_KEYS.oauthTokenUrl,
    label: 'Token URL',
    description:
      'Where refresh tokens are exchanged, e.g. https://oauth2.googleapis.com/token or https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token.',
    type: 'httpsUrl',
    required: true,
    secret: false,
    appliesWhen: oauthFrom('refresh-token'),
    bindsSecrets: true,
  },
  {
    key: SMTP_KEYS.oauthRefreshToken,
    label: 'Refresh token',
    description:
      'A refresh token granted for SMTP.Username. When the provider issues a new one, the portal stores it in its place. Stored encrypted and never shown again.',
    type: 'secret',
    required: true,
    secret: true,
    appliesWhen: oauthFrom('refresh-token'),
  },
];
