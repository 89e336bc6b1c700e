import { SmtpServerSettings } from '../smtp/SmtpServerSettings';
import { OAuthTokens } from './OAuthTokens';
import { GRAPH_SCOPE, SMTP_SCOPE } from './tokenRequests';

/**
 * Where a server's connections get their access tokens: the shared cache,
 * for the scope the transport needs (SMTP submission, or Graph). Undefined
 * for a server that logs in with a password or not at all.
 */
export function accessTokenSource(
  tokens: OAuthTokens,
  tenantId: string,
  server: SmtpServerSettings,
): ((renew: boolean) => Promise<string>) | undefined {
  const login = server.auth;
  if (login?.kind !== 'oauth2') return undefined;
  const { oauth } = login;
  let scope: string;
  if (server.transport === 'microsoft-graph') scope = GRAPH_SCOPE;
  else if (oauth.provider === 'refresh-token') scope = '';
  else scope = SMTP_SCOPE[oauth.provider];
  return renew =>
    tokens.get({
      tenantId,
      credentials: oauth,
      user: login.user,
      scope,
      renew,
    });
}
