import {
  AuthService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import { MailerTenantResolver } from '@elixeum/plugin-mailer-node';

/** What the actions check their callers with: the same services as the routes. */
export interface ActionAccess {
  auth: AuthService;
  permissions: PermissionsService;
  tenants: MailerTenantResolver;
}

/** A user allowed to call an action, their tenant, and their optional permissions. */
export interface ActionUser {
  tenantId: string;
  /** The answer to each optional permission, in the order asked. */
  allowed: boolean[];
}

/**
 * Checks an action's caller as the routes for signed-in users check theirs:
 * a user (a service is refused, since Backstage lets every service past
 * permission checks) with `required`, their tenant from the tenant
 * resolver, and the answer to each of `optional`. Throws `NotAllowedError`.
 */
export async function authorizeUser(
  access: ActionAccess,
  credentials: BackstageCredentials,
  what: string,
  required: BasicPermission,
  ...optional: BasicPermission[]
): Promise<ActionUser> {
  if (!access.auth.isPrincipal(credentials, 'user')) {
    throw new NotAllowedError(
      `${what} is for users; a service reads a message's status by its id`,
    );
  }
  const decisions = await access.permissions.authorize(
    [required, ...optional].map(permission => ({ permission })),
    { credentials },
  );
  if (decisions[0].result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(`Missing permission ${required.name}`);
  }
  return {
    tenantId: await access.tenants.resolveTenant({ credentials }),
    allowed: decisions.slice(1).map(d => d.result === AuthorizeResult.ALLOW),
  };
}
