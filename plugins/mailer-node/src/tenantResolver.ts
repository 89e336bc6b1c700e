import {
  BackstageCredentials,
  createExtensionPoint,
} from '@backstage/backend-plugin-api';

/**
 * Decides which tenant a request to the mailer acts for. The mailer backend
 * ships one that serves a single tenant per deployment; a multi-tenant host
 * registers its own through `mailerTenantExtensionPoint`.
 *
 * @public
 */
export interface MailerTenantResolver {
  /**
   * Returns the tenant id for the caller. `requestedTenantId` is the tenant a
   * calling plugin asked to send for, if any: reject it (e.g. with
   * `NotAllowedError`) when the caller may not act for that tenant.
   */
  resolveTenant(options: {
    credentials: BackstageCredentials;
    requestedTenantId?: string;
  }): Promise<string>;

  /**
   * Returns the tenant of a user, for mail a plugin sends for that user
   * (`forUser`) rather than for the caller, e.g. a notification. `credentials`
   * are the calling plugin's: reject a caller that may not mail that user's
   * tenant. Without this method, the mailer refuses `forUser` with a 400.
   */
  resolveUserTenant?(options: {
    userEntityRef: string;
    credentials: BackstageCredentials;
  }): Promise<string>;
}

/**
 * Lets a backend module replace how the mailer finds the tenant of a request.
 *
 * @public
 */
export interface MailerTenantExtensionPoint {
  setTenantResolver(resolver: MailerTenantResolver): void;
}

/**
 * The extension point for `MailerTenantExtensionPoint`.
 *
 * @public
 */
export const mailerTenantExtensionPoint =
  createExtensionPoint<MailerTenantExtensionPoint>({ id: 'mailer.tenant' });
