import { ConnectionTestResult } from '@elixeum/plugin-mailer-common';
import { TokenError } from './TokenError';

type TokenDetails = TokenError['details'];

type Explained = Omit<ConnectionTestResult, 'messageSent' | 'reply' | 'server'>;

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
    matches: t => !!t.errorCodes?.includes(7000112),
    message: 'The application is disabled in this tenant (AADSTS7000112).',
    advice:
      'An administrator (or Microsoft, for an app it flagged) turned the app off: Entra ID → Enterprise applications → your app → Properties → set "Enabled for users to sign in?" to Yes. If the app was deleted, register it again and enter its new client id and secret.',
  },
  {
    matches: t =>
      !!t.errorCodes?.includes(65001) || t.error === 'consent_required',
    message:
      'An administrator has not consented to the application (AADSTS65001).',
    advice: `Grant admin consent: ${ENTRA} → API permissions → add Office 365 Exchange Online → SMTP.SendAsApp (or Microsoft Graph → Mail.Send for SMTP.Transport microsoft-graph), application permission, then "Grant admin consent". For a refresh token (delegated), the user must consent to SMTP.Send and offline_access when the token is obtained.`,
  },
  {
    matches: t => !!t.errorCodes?.some(c => c === 90002 || c === 900023),
    message: 'Microsoft does not know this tenant (AADSTS90002).',
    advice:
      'Set SMTP.OAuth.TenantId to your Directory (tenant) ID or a domain such as contoso.onmicrosoft.com.',
  },
  {
    matches: t => t.error === 'invalid_grant' && t.grant === 'jwt-bearer',
    message:
      "Google refused the service account's signed request (invalid_grant).",
    advice:
      "Google gives this for three reasons: the portal's clock is off by more than a few minutes (the request is signed with the time; check the server's time sync), SMTP.Username is not a user of your Google Workspace domain, or the service account key was deleted or disabled (create a new key and enter it in SMTP.OAuth.PrivateKey). It is not a missing delegation: that answers unauthorized_client.",
  },
  {
    matches: t => t.error === 'invalid_grant',
    message: 'The refresh token was revoked or has expired (invalid_grant).',
    advice:
      'Sign in again with consent to obtain a new refresh token and enter it in SMTP.OAuth.RefreshToken. A password change, a revoked session, a long time unused or (at Google) an app still in testing end refresh tokens.',
  },
  {
    matches: t => t.error === 'unauthorized_client' && t.grant === 'jwt-bearer',
    message:
      'Google refused the service account for this mailbox (unauthorized_client).',
    advice:
      'Give the service account domain-wide delegation: Google Admin console → Security → Access and data control → API controls → Domain-wide delegation → Add new, with its client ID and the scope https://mail.google.com/.',
  },
  {
    matches: t => t.error === 'unauthorized_client',
    message:
      'The token endpoint does not let this client use a refresh token (unauthorized_client).',
    advice:
      'Check SMTP.OAuth.ClientId and SMTP.OAuth.TokenUrl: the refresh token must have been issued to this client by this endpoint, and the client must be allowed the refresh_token grant.',
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
