import { AuthService, CacheService } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef, UserEntity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';

/** A user who can get email: their entity ref (for the tenant) and address. */
export type UserAddress = {
  userEntityRef: string;
  address: string;
};

// Prefixed: the notifications plugin's cache is shared with its other modules.
const USER_KEY_PREFIX = 'mailer:user-email:';
const ALL_USERS_KEY = 'mailer:all-user-emails';
/** Users read from the catalog per request while listing everyone for a broadcast. */
const PAGE_SIZE = 500;

/**
 * Users' email addresses (`spec.profile.email`) from the catalog, kept in
 * the notifications plugin's cache for `ttlMs` so a burst of notifications
 * does not become a burst of catalog requests.
 */
export class RecipientDirectory {
  constructor(
    private readonly deps: {
      catalog: CatalogService;
      auth: AuthService;
      cache: CacheService;
      ttlMs: number;
    },
  ) {}

  /** The address of one user, or undefined when the catalog has none. */
  async addressOf(userEntityRef: string): Promise<string | undefined> {
    const { catalog, auth, cache, ttlMs } = this.deps;
    const key = `${USER_KEY_PREFIX}${userEntityRef}`;
    const cached = await cache.get<{ address: string | null }>(key);
    if (cached) return cached.address ?? undefined;
    const entity = (await catalog.getEntityByRef(userEntityRef, {
      credentials: await auth.getOwnServiceCredentials(),
    })) as UserEntity | undefined;
    const address = entity?.spec?.profile?.email;
    await cache.set(key, { address: address ?? null }, { ttl: ttlMs });
    return address;
  }

  /** Every user in the catalog with an address, read in pages. */
  async allUsers(): Promise<UserAddress[]> {
    const { catalog, auth, cache, ttlMs } = this.deps;
    const cached = await cache.get<UserAddress[]>(ALL_USERS_KEY);
    if (cached) return cached;
    const credentials = await auth.getOwnServiceCredentials();
    const users: UserAddress[] = [];
    let cursor: string | undefined;
    do {
      const page = await catalog.queryEntities(
        cursor
          ? { cursor, limit: PAGE_SIZE }
          : {
              filter: {
                kind: 'User',
                'spec.profile.email': CATALOG_FILTER_EXISTS,
              },
              fields: [
                'kind',
                'metadata.name',
                'metadata.namespace',
                'spec.profile.email',
              ],
              limit: PAGE_SIZE,
            },
        { credentials },
      );
      for (const entity of page.items as UserEntity[]) {
        const address = entity.spec?.profile?.email;
        if (address) {
          users.push({ userEntityRef: stringifyEntityRef(entity), address });
        }
      }
      cursor = page.pageInfo.nextCursor;
    } while (cursor);
    await cache.set(ALL_USERS_KEY, users, { ttl: ttlMs });
    return users;
  }
}
