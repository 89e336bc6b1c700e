import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { MailerTenantResolver } from '@elixeum/plugin-mailer-node';

// `user:name` or `user:namespace/name`, the form the catalog writes refs in.
const USER_ENTITY_REF = /^user:(?:[^\s:/]+\/)?[^\s:/]+$/i;

/**
 * The tenant a calling plugin queues mail for: the tenant of the user it
 * names (`forUser`), or else what the resolver makes of the caller and the
 * tenant it asked for.
 */
export async function resolveSenderTenant(
  tenants: MailerTenantResolver,
  options: {
    credentials: BackstageCredentials;
    requestedTenantId?: string;
    forUser?: string;
  },
): Promise<string> {
  const { credentials, requestedTenantId, forUser } = options;
  if (forUser === undefined) {
    return tenants.resolveTenant({ credentials, requestedTenantId });
  }
  if (requestedTenantId !== undefined) {
    throw new InputError('Give either tenantId or forUser, not both');
  }
  if (!USER_ENTITY_REF.test(forUser)) {
    throw new InputError(
      'forUser must be a user entity ref, e.g. user:default/ada',
    );
  }
  if (!tenants.resolveUserTenant) {
    throw new InputError(
      "This deployment's mailer tenant resolver cannot find a user's tenant: it does not implement resolveUserTenant",
    );
  }
  return tenants.resolveUserTenant({ userEntityRef: forUser, credentials });
}
