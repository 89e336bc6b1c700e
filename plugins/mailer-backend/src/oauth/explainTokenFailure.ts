import { ConnectionTestResult } from '@elixeum/plugin-mailer-common';
import { TokenError } from './TokenError';

type TokenDetails = TokenError['details'];

type Explained = Omit<ConnectionTestResult, 'messageSent' | 'reply'>;

const ENTRA = 'Entra ID (Azure AD) → App registrations → your app';

/** Microsoft's AADSTS codes and OAuth2's errors, each with its way out. */
const RULES: Array<{
  matches: (token: TokenDetails) => boolean;
  message: string;
  advice: string;
}> = [
  {
    matches: t => !!t.errorCodes?.includes(7000215),
    message: 'Microsoft refused the client secret (AADSTS7000215).',
    advice: `Enter the secret's Value, not its Secret ID, in SMTP.OAuth.ClientSecret: ${ENTRA} → Certificates & secrets. If it expired, create a new one.`,
  },
  {
    matches: t => !!t.errorCodes?.includes(700016),
    message:
      'Microsoft does not know the application in this tenant (AADSTS700016).',
    advice:
      'Check SMTP.OAuth.ClientId (the Application (client) ID) and SMTP.OAuth.TenantId; the app must be registered in, or consented to by, that tenant.',
  },
  {
    matches: t =>
      !!t.errorCodes?.some(c => c === 65001 || c === 7000112) ||
      t.error === 'consent_required',
    message:
      'An administrator has not consented to the application (AADSTS65001).',
    advice: `Grant admin consent: ${ENTRA} → API permissions → add Office 365 Exchange Online → SMTP.SendAsApp (or Microsoft Graph → Mail.Send for SMTP.Transport microsoft-graph), application permission, then "Grant admin consent".`,
  },
  {
    matches: t => !!t.errorCodes?.some(c => c === 90002 || c === 900023),
    message: 'Microsoft does not know this tenant (AADSTS90002).',
    advice:
      'Set SMTP.OAuth.TenantId to your Directory (tenant) ID or a domain such as contoso.onmicrosoft.com.',
  },
  {
    matches: t => t.error === 'invalid_grant',
    message: 'The refresh token was revoked or has expired (invalid_grant).',
    advice:
      'Sign in again with consent to obtain a new refresh token and enter it in SMTP.OAuth.RefreshToken. A password change or a revoked session ends refresh tokens.',
  },
  {
    matches: t => t.error === 'unauthorized_client',
    message:
      'Google refused the service account for this mailbox (unauthorized_client).',
    advice:
      'Give the service account domain-wide delegation: Google Admin console → Security → Access and data control → API controls → Domain-wide delegation → Add new, with its client ID and the scope https://mail.google.com/.',
  },
  {
    matches: t => t.error === 'invalid_client',
    message:
      'The token endpoint refused the client id or secret (invalid_client).',
    advice:
      'Check SMTP.OAuth.ClientId and enter SMTP.OAuth.ClientSecret again.',
  },
];

/** Why no OAuth2 token could be had, and what to do: for the card and the delivery pause. */
export function explainTokenFailure(
  token: TokenDetails,
  text: string,
): Explained {
  if (token.status === undefined) {
    return {
      outcome: 'token-failure',
      message: token.description ?? text,
      advice:
        'The portal must reach the token endpoint (login.microsoftonline.com, oauth2.googleapis.com, or SMTP.OAuth.TokenUrl) over https; mail waits and is sent once it can.',
    };
  }
  const rule = RULES.find(r => r.matches(token));
  return {
    outcome: 'token-failure',
    message: rule?.message ?? text,
    advice:
      rule?.advice ??
      `Check the OAuth2 settings.${token.description ? ` The endpoint said: ${token.description}` : ''}`,
  };
}
