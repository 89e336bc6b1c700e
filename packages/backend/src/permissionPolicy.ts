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
import {
  mailerDeliveryReadPermission,
  mailerSettingsManagePermission,
} from '@elixeum/plugin-mailer-common';

/**
 * The example portal's policy: everyone may read the notification settings;
 * only the users in `examplePermissions.mailerAdmins` may change them and see
 * delivery records in full; users in `examplePermissions.mailerDeliveryReaders`
 * see delivery records with recipient addresses masked. Everything else is
 * allowed, as in a fresh Backstage app.
 */
class ExamplePolicy implements PermissionPolicy {
  constructor(
    private readonly mailerAdmins: readonly string[],
    private readonly deliveryReaders: readonly string[],
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const userRef = user?.info.userEntityRef;
    const isOneOf = (list: readonly string[]) =>
      userRef !== undefined && list.includes(userRef);
    switch (request.permission.name) {
      case mailerSettingsManagePermission.name:
        return decision(isOneOf(this.mailerAdmins));
      case mailerDeliveryReadPermission.name:
        return decision(
          isOneOf(this.mailerAdmins) || isOneOf(this.deliveryReaders),
        );
      default:
        return { result: AuthorizeResult.ALLOW };
    }
  }
}

function decision(allowed: boolean): PolicyDecision {
  return { result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
}

/** Installs `ExamplePolicy` into the permission backend. */
export const examplePermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'example-policy',
  register(env) {
    env.registerInit({
      deps: { policy: policyExtensionPoint, config: coreServices.rootConfig },
      async init({ policy, config }) {
        const list = (key: string) =>
          config.getOptionalStringArray(`examplePermissions.${key}`) ?? [];
        policy.setPolicy(
          new ExamplePolicy(
            list('mailerAdmins'),
            list('mailerDeliveryReaders'),
          ),
        );
      },
    });
  },
});
