import type { RootConfigService } from '@backstage/backend-plugin-api';

/**
 * The portal a mail comes from: its name and the address of its app.
 *
 * @public
 */
export interface PortalInfo {
  /** `app.title`, e.g. "Elixeum Portal". */
  title: string;
  /** `app.baseUrl`, without a trailing slash. */
  baseUrl: string;
}

/**
 * Reads the portal's name and address from `app.title` and `app.baseUrl`.
 *
 * @public
 */
export function readPortalInfo(config: RootConfigService): PortalInfo {
  return {
    title: config.getOptionalString('app.title') ?? 'Backstage',
    baseUrl: config.getString('app.baseUrl').replace(/\/+$/, ''),
  };
}

/**
 * An absolute http(s) URL for `link`: a relative link (`/catalog/x`,
 * `docs/x`, `?tab=1`) is `app.baseUrl` + the link, and one that would
 * leave it (`../admin`, `\\other.example`) is refused; an absolute http(s)
 * link is used as given, even to another site. Undefined for anything
 * else, so a `javascript:` or `data:` link never reaches a mail client.
 *
 * @public
 */
export function portalLink(
  link: string,
  portal: PortalInfo,
): string | undefined {
  try {
    const isAbsolute = /^[a-z][a-z0-9+.-]*:/i.test(link);
    if (isAbsolute) {
      const url = new URL(link);
      return url.protocol === 'https:' || url.protocol === 'http:'
        ? url.toString()
        : undefined;
    }
    const base = new URL(`${portal.baseUrl}/`);
    // Leading slashes (and backslashes, which URLs read as slashes) would
    // make the link start at the host, or at another host.
    const url = new URL(link.replace(/^[/\\]+/, ''), base);
    const underBase =
      url.origin === base.origin && url.pathname.startsWith(base.pathname);
    return underBase ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
