import { createHash } from 'node:crypto';
import { LruMap } from '../cache/LruMap';
import { OAuthCredentials } from './credentials';
import { rememberAccessToken } from './issuedTokens';
import { requestAccessToken, TokenEndpoints } from './tokenRequests';

/** What a token is asked for. */
export interface TokenRequest {
  /** Whose credentials: a rotated refresh token is offered for this tenant's settings. */
  tenantId: string;
  credentials: OAuthCredentials;
  /** The mailbox the token is for (SMTP.Username). */
  user: string;
  scope: string;
  /** The server refused a token: get a new one. */
  renew?: boolean;
  /**
   * The token the server refused, when known: if the cache already holds a
   * newer one (another connection renewed first), that one is handed out.
   */
  refused?: string;
}

/** Told of every request to a token endpoint, e.g. to count them. */
export interface TokenRequestObserver {
  tokenRequested(provider: OAuthCredentials['provider']): void;
  tokenFailed(provider: OAuthCredentials['provider'], error: unknown): void;
}

/** The credentials of a refresh-token grant. */
export type RefreshTokenCredentials = Extract<
  OAuthCredentials,
  { provider: 'refresh-token' }
>;

/** A refresh token the endpoint replaced, for the tenant's settings to take. */
export interface RefreshTokenRotation {
  tenantId: string;
  /** The grant as the caller gave it: the refresh token is the one its settings held. */
  credentials: RefreshTokenCredentials;
  /**
   * Every refresh token of this line, oldest first: the one given and those
   * the endpoint issued since. Settings that still hold one of them may
   * take the new one; settings that hold another must not.
   */
  replaces: readonly string[];
  /** The new refresh token. */
  refreshToken: string;
}

interface CachedToken {
  token?: string;
  expiresAt: number;
  obtainedAt: number;
  pending?: Promise<string>;
  /** The refresh token to exchange next: the one given, or the one the endpoint last issued. */
  refreshToken?: string;
  /** The refresh tokens of this line, oldest first (see `RefreshTokenRotation.replaces`). */
  line: string[];
}

/**
 * Entries kept at most. Each set of credentials ever tried (a connection
 * test of a mistyped secret too) would otherwise stay for the life of the
 * process; the least recently used go first.
 */
const MAX_ENTRIES = 500;

/** Refresh tokens of one line remembered: settings read long ago hold none of the older ones. */
const MAX_LINE = 20;

/** Everything that makes one token, the refresh token included. */
function cacheKey(request: TokenRequest, refreshToken?: string): string {
  const { credentials, user, scope } = request;
  const exact =
    refreshToken !== undefined && credentials.provider === 'refresh-token'
      ? { ...credentials, refreshToken }
      : credentials;
  return createHash('sha256')
    .update(JSON.stringify([request.tenantId, exact, user, scope]))
    .digest('hex');
}

/** Renews a token this long before it expires: a tenth of its life, at most a minute. */
function renewalMargin(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs / 10);
}

/**
 * The OAuth2 access tokens of the mailer: one cache entry per set of
 * credentials, shared by all of a tenant's pooled connections and its
 * connection tests. A token is renewed shortly before it expires, with one
 * request in flight however many connections ask. When the endpoint rotates
 * a refresh token, the entry goes on with the new one (also under the new
 * one's key, for settings that stored it) and `onRotated` is told, so that
 * the tenant's settings take it if they still hold this line's token.
 */
export class OAuthTokens {
  /** In order of use, least recent first; one entry may sit under several keys. */
  private readonly cache = new LruMap<string, CachedToken>(MAX_ENTRIES);

  constructor(
    private readonly endpoints: TokenEndpoints,
    private readonly onRotated: (
      rotation: RefreshTokenRotation,
    ) => Promise<void> = async () => {},
    private readonly now: () => number = Date.now,
    private readonly observer?: TokenRequestObserver,
  ) {}

  /** How many keys the cache holds, for tests of its bound. */
  get size(): number {
    return this.cache.size;
  }

  async get(request: TokenRequest): Promise<string> {
    const key = cacheKey(request);
    const entry = this.cache.get(key) ?? this.newEntry(request);
    // Marks it as just used; the least recently used go beyond the bound.
    this.cache.set(key, entry);
    const now = this.now();
    const lifetime = entry.expiresAt - entry.obtainedAt;
    const valid =
      entry.token !== undefined &&
      now < entry.expiresAt - renewalMargin(lifetime);
    if (valid && !request.renew) return entry.token!;
    // Another connection renewed since the refused token was handed out.
    if (
      valid &&
      request.renew &&
      request.refused !== undefined &&
      entry.token !== request.refused
    ) {
      return entry.token!;
    }
    // A request in flight started after the current token came: it brings a newer one.
    entry.pending ??= this.fetch(request, entry).finally(() => {
      entry.pending = undefined;
    });
    return entry.pending;
  }

  private newEntry(request: TokenRequest): CachedToken {
    const { credentials } = request;
    const given =
      credentials.provider === 'refresh-token'
        ? credentials.refreshToken
        : undefined;
    return {
      expiresAt: 0,
      obtainedAt: 0,
      refreshToken: given,
      line: given === undefined ? [] : [given],
    };
  }

  /** Forgets an entry that never got a token: a wrong secret leaves nothing behind. */
  private forgetIfEmpty(entry: CachedToken): void {
    if (entry.token !== undefined) return;
    for (const [key, cached] of this.cache) {
      if (cached === entry) this.cache.delete(key);
    }
  }

  private async fetch(
    request: TokenRequest,
    entry: CachedToken,
  ): Promise<string> {
    const given = request.credentials;
    const credentials: OAuthCredentials =
      given.provider === 'refresh-token' && entry.refreshToken
        ? { ...given, refreshToken: entry.refreshToken }
        : given;
    let issued;
    this.observer?.tokenRequested(credentials.provider);
    try {
      issued = await requestAccessToken(
        credentials,
        request.user,
        request.scope,
        this.endpoints,
      );
    } catch (error) {
      this.observer?.tokenFailed(credentials.provider, error);
      this.forgetIfEmpty(entry);
      throw error;
    }
    const now = this.now();
    entry.token = issued.accessToken;
    entry.obtainedAt = now;
    entry.expiresAt = now + issued.expiresIn * 1000;
    rememberAccessToken(issued.accessToken, request.user);
    if (
      issued.refreshToken &&
      given.provider === 'refresh-token' &&
      credentials.provider === 'refresh-token' &&
      issued.refreshToken !== credentials.refreshToken
    ) {
      entry.refreshToken = issued.refreshToken;
      entry.line = [...entry.line, issued.refreshToken].slice(-MAX_LINE);
      // Settings that stored the new token find this entry, and its token.
      this.cache.set(cacheKey(request, issued.refreshToken), entry);
      // Awaited, so rotations reach the settings in order; the handler
      // reports its own failures, and the access token is good either way.
      await this.onRotated({
        tenantId: request.tenantId,
        credentials: given,
        replaces: entry.line.slice(0, -1),
        refreshToken: issued.refreshToken,
      }).catch(() => undefined);
    }
    return issued.accessToken;
  }
}
