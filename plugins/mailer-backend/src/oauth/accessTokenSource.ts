import { SmtpServerSettings } from '../smtp/SmtpServerSettings';
import { OAuthTokens } from './OAuthTokens';
import { GRAPH_SCOPE, SMTP_SCOPE } from './tokenRequests';

/**
 * Asks for an access token; `renew` once the server refused `refused` (the
 * token it was given), so that a new one comes, not the refused one again.
 */
export type AccessTokenSource = (
  renew: boolean,
  refused?: string,
) => Promise<string>;

/**
 * Where a server's connections get their access tokens: the shared cache,
 * for the scope the transport needs (SMTP submission, or Graph; a refresh
 * token's scope is chosen by `requestAccessToken`). Undefined for a server
 * that logs in with a password or not at all.
 */
export function accessTokenSource(
  tokens: OAuthTokens,
  tenantId: string,
  server: SmtpServerSettings,
): AccessTokenSource | undefined {
  const login = server.auth;
  if (login?.kind !== 'oauth2') return undefined;
  const { oauth } = login;
  let scope: string;
  if (server.transport === 'microsoft-graph') scope = GRAPH_SCOPE;
  else if (oauth.provider === 'refresh-token') scope = '';
  else scope = SMTP_SCOPE[oauth.provider];
  return (renew, refused) =>
    tokens.get({
      tenantId,
      credentials: oauth,
      user: login.user,
      scope,
      renew,
      refused,
    });
}
