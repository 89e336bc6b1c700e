/** OAuth2 access tokens handed out lately, with their user: they are secrets too. */
const issued = new Map<string, string>();
const MAX_REMEMBERED = 1000;

/** Remembers an access token, so that no text can show it or its XOAUTH2 form. */
export function rememberAccessToken(token: string, user: string): void {
  issued.delete(token);
  issued.set(token, user);
  if (issued.size > MAX_REMEMBERED) {
    issued.delete(issued.keys().next().value!);
  }
}

/** The access tokens handed out lately, each with its user. */
export function recentAccessTokens(): ReadonlyMap<string, string> {
  return issued;
}
