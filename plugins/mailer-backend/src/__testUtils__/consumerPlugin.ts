import {
  createBackendModule,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mailerServiceRef,
  MailerService,
  mailerTenantExtensionPoint,
} from '@elixeum/plugin-mailer-node';

/**
 * A second plugin that sends mail the way any consumer would: through the
 * service ref, over HTTP to the mailer backend.
 */
export function createConsumerPlugin() {
  const consumer: { mailer?: MailerService } = {};
  const plugin = createBackendPlugin({
    pluginId: 'consumer',
    register(env) {
      env.registerInit({
        deps: { mailer: mailerServiceRef },
        async init({ mailer }) {
          consumer.mailer = mailer;
        },
      });
    },
  });
  return { plugin, mailer: () => consumer.mailer! };
}

/**
 * A multi-tenant host that trusts the tenant a calling plugin names, and puts
 * each user in the tenant of their name: `user:default/alpha` manages tenant
 * `alpha` (the mock user `user:default/mock` manages `default`).
 */
export const tenantFromCallerModule = createBackendModule({
  pluginId: 'mailer',
  moduleId: 'tenant-from-caller',
  register(env) {
    env.registerInit({
      deps: { tenants: mailerTenantExtensionPoint },
      async init({ tenants }) {
        tenants.setTenantResolver({
          resolveTenant: async ({ credentials, requestedTenantId }) => {
            if (requestedTenantId) return requestedTenantId;
            const { principal } = credentials as {
              principal: { type: string; userEntityRef?: string };
            };
            const name = principal.userEntityRef?.split('/').pop();
            return name && name !== 'mock' ? name : 'default';
          },
        });
      },
    });
  },
});
