import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { mailerTenantExtensionPoint } from '@elixeum/plugin-mailer-node';
import { SmtpTestServer } from '@internal/smtp-test-server';
import request from 'supertest';
import {
  createConsumerPlugin,
  tenantFromCallerModule,
} from '../__testUtils__/consumerPlugin';
import { startMailerTestBackend } from '../__testUtils__/mailerTestBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

const databases = createTestDatabases();
const message = { to: 'ada@example.com', subject: 'Hi', text: 'Hello' };

let defaultServer: SmtpTestServer;
let acmeServer: SmtpTestServer;
beforeAll(async () => {
  defaultServer = await SmtpTestServer.start();
  acmeServer = await SmtpTestServer.start({ users: { acme: 'acme-pass' } });
});
afterAll(async () => {
  await defaultServer.close();
  await acmeServer.close();
});
beforeEach(() => {
  defaultServer.reset();
  acmeServer.reset();
});

/**
 * A multi-tenant host: a user's tenant is the namespace of their entity ref;
 * plugins calling without naming a user act for the platform tenant.
 */
const tenantByNamespaceModule = createBackendModule({
  pluginId: 'mailer',
  moduleId: 'tenant-by-namespace',
  register(env) {
    env.registerInit({
      deps: { tenants: mailerTenantExtensionPoint },
      async init({ tenants }) {
        const namespaceOf = (ref: string) => ref.split(':')[1].split('/')[0];
        tenants.setTenantResolver({
          async resolveTenant({ credentials }) {
            const { userEntityRef } = credentials.principal as {
              userEntityRef?: string;
            };
            return userEntityRef ? namespaceOf(userEntityRef) : 'platform';
          },
          resolveUserTenant: async ({ userEntityRef }) =>
            namespaceOf(userEntityRef),
        });
      },
    });
  },
});

async function start(
  features: Parameters<typeof startMailerTestBackend>[2]['features'] = [],
) {
  const consumer = createConsumerPlugin();
  const { server } = await startMailerTestBackend(databases, 'SQLITE_3', {
    defaultServer: { host: defaultServer.host, port: defaultServer.port },
    features: [consumer.plugin, ...(features ?? [])],
  });
  return { mailer: consumer.mailer(), server };
}

describe('mail for a user (forUser)', () => {
  it('goes out for the one tenant of a single-tenant deployment', async () => {
    const { mailer } = await start();
    await mailer.send(message, { forUser: 'user:default/ada' });
    const [received] = await defaultServer.waitForMessages(1);
    expect(received.envelope.rcptTo).toEqual(['ada@example.com']);
  });

  it("goes out through the user's tenant's server, as the host's resolver finds it", async () => {
    const { mailer, server } = await start([tenantByNamespaceModule]);
    await request(server)
      .put('/api/mailer/settings')
      .set('Authorization', mockCredentials.user.header('user:acme/admin'))
      .send({
        values: {
          'SMTP.Server': acmeServer.host,
          'SMTP.Port': acmeServer.port,
          'SMTP.Username': 'acme',
          'SMTP.Password': 'acme-pass',
          'SMTP.Security': 'none',
          'SMTP.From': 'portal@acme.example',
        },
      })
      .expect(200);

    await mailer.send(
      { ...message, subject: 'for ada' },
      { forUser: 'user:acme/ada' },
    );
    await mailer.send({ ...message, subject: 'for the platform' });

    const [acme] = await acmeServer.waitForMessages(1);
    const [platform] = await defaultServer.waitForMessages(1);
    expect(acme.parsed.subject).toBe('for ada');
    expect(acme.envelope.mailFrom).toBe('portal@acme.example');
    expect(platform.parsed.subject).toBe('for the platform');
  });

  it("is refused with a clear 400 when the resolver cannot find a user's tenant", async () => {
    const { mailer } = await start([tenantFromCallerModule]);
    const refusal = mailer.send(message, { forUser: 'user:default/ada' });
    await expect(refusal).rejects.toThrow(InputError);
    await expect(refusal).rejects.toThrow(
      /tenant resolver cannot find a user's tenant/,
    );
  });

  it('is refused when it is not a user ref, or comes with a tenantId', async () => {
    const { mailer } = await start();
    await expect(
      mailer.send(message, { forUser: 'group:default/team' }),
    ).rejects.toThrow(/forUser must be a user entity ref/);
    await expect(
      mailer.send(message, {
        forUser: 'user:default/ada',
        tenantId: 'default',
      }),
    ).rejects.toThrow(/either tenantId or forUser/);
  });
});
