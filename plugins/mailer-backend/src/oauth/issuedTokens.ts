import { LruMap } from '../cache/LruMap';

const MAX_REMEMBERED = 1000;
/** OAuth2 access tokens handed out lately, with their user: they are secrets too. */
const issued = new LruMap<string, string>(MAX_REMEMBERED);

/** Remembers an access token, so that no text can show it or its XOAUTH2 form. */
export function rememberAccessToken(token: string, user: string): void {
  issued.set(token, user);
}

/** The access tokens handed out lately, each with its user. */
export function recentAccessTokens(): ReadonlyMap<string, string> {
  return issued;
}
