import {
  BackstageCredentials,
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import { MailerTenantResolver } from '@elixeum/plugin-mailer-node';
import { Request } from 'express';

/** The signed-in user of a request, their tenant, and their optional permissions. */
export interface AuthorizedUser {
  credentials: BackstageCredentials<BackstageUserPrincipal>;
  /** The user's entity ref, e.g. `user:default/ada`. */
  userRef: string;
  tenantId: string;
  /** The answer to each optional permission, in the order asked. */
  allowed: boolean[];
}

/**
 * Checks that a request comes from a user (a plugin's service token is
 * refused: Backstage lets every service principal past permission checks)
 * with `required`, and answers `optional` too; throws `NotAllowedError`
 * without `required`.
 */
export function userAuthorization(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  tenants: MailerTenantResolver;
}) {
  const { httpAuth, permissions, tenants } = options;
  return async function authorizedUser(
    req: Request,
    required: BasicPermission,
    ...optional: BasicPermission[]
  ): Promise<AuthorizedUser> {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const decisions = await permissions.authorize(
      [required, ...optional].map(permission => ({ permission })),
      { credentials },
    );
    if (decisions[0].result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(`Missing permission ${required.name}`);
    }
    return {
      credentials,
      userRef: credentials.principal.userEntityRef,
      tenantId: await tenants.resolveTenant({ credentials }),
      allowed: decisions.slice(1).map(d => d.result === AuthorizeResult.ALLOW),
    };
  };
}
