import { createBackendModule } from '@backstage/backend-plugin-api';
import { mailerTenantExtensionPoint } from '@elixeum/plugin-mailer-node';

/**
 * A multi-tenant host for the bench: a plugin's mail goes to the tenant it
 * names, and a user manages the tenant of their name (`user:default/t7`
 * manages `t7`), so each tenant's settings are saved as its own admin would.
 */
export const tenantFromCaller = createBackendModule({
  pluginId: 'mailer',
  moduleId: 'bench-tenant-from-caller',
  register(env) {
    env.registerInit({
      deps: { tenants: mailerTenantExtensionPoint },
      async init({ tenants }) {
        tenants.setTenantResolver({
          resolveTenant: async ({ credentials, requestedTenantId }) => {
            if (requestedTenantId) return requestedTenantId;
            const { principal } = credentials as {
              principal: { userEntityRef?: string };
            };
            return principal.userEntityRef?.split('/').pop() ?? 'default';
          },
        });
      },
    });
  },
});
