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
 * An absolute http(s) URL for `link`, which may be relative to the portal
 * (`/catalog/default/component/x`) or absolute; undefined for anything else,
 * so a `javascript:` or `data:` link never reaches a mail client.
 *
 * @public
 */
export function portalLink(
  link: string,
  portal: PortalInfo,
): string | undefined {
  try {
    const isAbsolute = /^[a-z][a-z0-9+.-]*:/i.test(link);
    const url = isAbsolute
      ? new URL(link)
      : new URL(link.replace(/^\/+/, ''), `${portal.baseUrl}/`);
    return url.protocol === 'https:' || url.protocol === 'http:'
      ? url.toString()
      : undefined;
  } catch {
    return undefined;
  }
}
