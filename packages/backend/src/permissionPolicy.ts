import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { mailerSettingsManagePermission } from '@elixeum/plugin-mailer-common';

/**
 * The example portal's policy: everyone may read the notification settings,
 * only the users listed in `examplePermissions.mailerAdmins` may change them.
 * Everything else is allowed, as in a fresh Backstage app.
 */
class ExamplePolicy implements PermissionPolicy {
  constructor(private readonly mailerAdmins: readonly string[]) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (request.permission.name === mailerSettingsManagePermission.name) {
      const userRef = user?.info.userEntityRef;
      const allowed =
        userRef !== undefined && this.mailerAdmins.includes(userRef);
      return { result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

/** Installs `ExamplePolicy` into the permission backend. */
export const examplePermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'example-policy',
  register(env) {
    env.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        const admins =
          config.getOptionalStringArray('examplePermissions.mailerAdmins') ??
          [];
        policy.setPolicy(new ExamplePolicy(admins));
      },
    });
  },
});
