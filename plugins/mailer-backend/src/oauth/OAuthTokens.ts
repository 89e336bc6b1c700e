import { createHash } from 'node:crypto';
import { OAuthCredentials } from './credentials';
import { rememberAccessToken } from './issuedTokens';
import {
  IssuedToken,
  requestAccessToken,
  TokenEndpoints,
} from './tokenRequests';

/** What a token is asked for. */
export interface TokenRequest {
  /** Whose credentials: a rotated refresh token is stored for this tenant. */
  tenantId: string;
  credentials: OAuthCredentials;
  /** The mailbox the token is for (SMTP.Username). */
  user: string;
  scope: string;
  /** The last token was refused: get a new one, unless one just came. */
  renew?: boolean;
}

interface CachedToken {
  token?: string;
  expiresAt: number;
  obtainedAt: number;
  pending?: Promise<string>;
  /** The refresh token to use next: the tenant's, or the one the endpoint last issued. */
  refreshToken?: string;
  /** The tenant's stored refresh token when this entry last looked. */
  storedRefreshToken?: string;
  /** Refresh tokens the endpoint replaced: settings read before the rotation still hold them. */
  replaced: Set<string>;
}

/** A token this young is not replaced on `renew`: the refusal was of an older one. */
const FRESH_MS = 5000;

/** The credentials that make one token, without the refresh token (which the endpoint may rotate). */
function cacheKey(request: TokenRequest): string {
  const { credentials, user, scope } = request;
  const { refreshToken: _rotating, ...stable } =
    credentials as OAuthCredentials & { refreshToken?: string };
  return createHash('sha256')
    .update(JSON.stringify([request.tenantId, stable, user, scope]))
    .digest('hex');
}

/** Renews a token this long before it expires: a tenth of its life, at most a minute. */
function renewalMargin(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs / 10);
}

/**
 * The OAuth2 access tokens of the mailer: one cache per set of credentials,
 * shared by all of a tenant's pooled connections and its connection tests.
 * A token is renewed shortly before it expires, with one request in flight
 * however many connections ask. When the endpoint rotates a refresh token,
 * the new one is used from then on and handed to `onRotated` to be stored.
 */
export class OAuthTokens {
  private readonly cache = new Map<string, CachedToken>();

  constructor(
    private readonly endpoints: TokenEndpoints,
    private readonly onRotated: (
      tenantId: string,
      refreshToken: string,
    ) => Promise<void> = async () => {},
    private readonly now: () => number = Date.now,
  ) {}

  async get(request: TokenRequest): Promise<string> {
    const key = cacheKey(request);
    const entry = this.cache.get(key) ?? {
      expiresAt: 0,
      obtainedAt: 0,
      replaced: new Set<string>(),
    };
    this.cache.set(key, entry);
    const { credentials } = request;
    if (
      credentials.provider === 'refresh-token' &&
      credentials.refreshToken !== entry.storedRefreshToken &&
      !entry.replaced.has(credentials.refreshToken)
    ) {
      // The tenant entered a refresh token (or ours was stored): use it.
      entry.storedRefreshToken = credentials.refreshToken;
      entry.refreshToken = credentials.refreshToken;
    }
    const now = this.now();
    const lifetime = entry.expiresAt - entry.obtainedAt;
    const valid =
      entry.token !== undefined &&
      now < entry.expiresAt - renewalMargin(lifetime);
    if (entry.token && valid && !request.renew) return entry.token;
    if (entry.token && valid && now - entry.obtainedAt < FRESH_MS) {
      return entry.token;
    }
    entry.pending ??= this.fetch(request, entry).finally(() => {
      entry.pending = undefined;
    });
    return entry.pending;
  }

  private async fetch(
    request: TokenRequest,
    entry: CachedToken,
  ): Promise<string> {
    const credentials: OAuthCredentials =
      request.credentials.provider === 'refresh-token' && entry.refreshToken
        ? { ...request.credentials, refreshToken: entry.refreshToken }
        : request.credentials;
    const issued: IssuedToken = await requestAccessToken(
      credentials,
      request.user,
      request.scope,
      this.endpoints,
    );
    const now = this.now();
    entry.token = issued.accessToken;
    entry.obtainedAt = now;
    entry.expiresAt = now + issued.expiresIn * 1000;
    rememberAccessToken(issued.accessToken, request.user);
    if (
      issued.refreshToken &&
      credentials.provider === 'refresh-token' &&
      issued.refreshToken !== credentials.refreshToken
    ) {
      entry.replaced.add(credentials.refreshToken);
      entry.refreshToken = issued.refreshToken;
      entry.storedRefreshToken = issued.refreshToken;
      await this.onRotated(request.tenantId, issued.refreshToken);
    }
    return issued.accessToken;
  }
}
