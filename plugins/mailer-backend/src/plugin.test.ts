import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { mailerTenantExtensionPoint } from '@elixeum/plugin-mailer-node';
import request from 'supertest';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { mailerPlugin } from './plugin';

const databases = createTestDatabases();

describe('mailer plugin', () => {
  it('refuses to start without an encryption key, and says how to make one', async () => {
    await expect(
      startTestBackend({
        features: [
          mailerPlugin,
          mockServices.rootConfig.factory({
            data: {
              mailer: {
                default: { host: '127.0.0.1', from: 'no-reply@elixeum.cloud' },
              },
            },
          }),
        ],
      }),
    ).rejects.toThrow(
      /mailer\.encryption\.keys is not set\. Generate a key with/,
    );
  });

  it('lets a module decide the tenant of each request', async () => {
    // A multi-tenant host: the tenant is the namespace of the user's entity ref.
    const tenantModule = createBackendModule({
      pluginId: 'mailer',
      moduleId: 'test-tenants',
      register(env) {
        env.registerInit({
          deps: { tenants: mailerTenantExtensionPoint },
          async init({ tenants }) {
            tenants.setTenantResolver({
              async resolveTenant({ credentials }) {
                const ref =
                  (credentials.principal as { userEntityRef?: string })
                    .userEntityRef ?? '';
                return ref.split(':')[1]?.split('/')[0] ?? 'none';
              },
            });
          },
        });
      },
    });
    const { server, knex } = await startMailerTestBackend(
      databases,
      'SQLITE_3',
      {
        defaultServer: { host: '127.0.0.1', port: 2525 },
        features: [tenantModule],
      },
    );

    await request(server)
      .put('/api/mailer/settings')
      .set('Authorization', mockCredentials.user.header('user:acme/ada'))
      .send({ values: { 'SMTP.Server': 'smtp.acme.example' } })
      .expect(200);
    const other = await request(server)
      .get('/api/mailer/settings')
      .set('Authorization', mockCredentials.user.header('user:globex/hank'))
      .expect(200);

    expect(other.body.settings).toEqual([]);
    expect(
      await knex('mailer_settings').select('tenant_id', 'setting_key'),
    ).toEqual([{ tenant_id: 'acme', setting_key: 'SMTP.Server' }]);
  });
});
