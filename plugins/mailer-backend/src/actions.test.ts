import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { SmtpTestServer } from '@internal/smtp-test-server';
import request from 'supertest';
import { mailerTenantExtensionPoint } from '@elixeum/plugin-mailer-node';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { SuppressionStore } from './database/SuppressionStore';

// The mailer's actions as an AI assistant or a script calls them: through
// the actions registry's own routes on a real backend, with user and
// service credentials, checked against the same permissions as the routes.

const databases = createTestDatabases();
const GONE = 'gone.person@customer.example';
const OK = 'ok.person@customer.example';
const READ = 'mailer.delivery.read';
const MANAGE = 'mailer.settings.manage';
const ACTIONS = '/api/mailer/.backstage/actions/v1/actions';

// Users of tenant acme (see tenantOfUsers) and what they may do.
const MANAGER = 'user:default/acme';
const READER = 'user:default/acme-reader';
const STRANGER = 'user:default/acme-stranger';
const OTHER_TENANT = 'user:default/globex';
const GRANTS: Record<string, string[]> = {
  [MANAGER]: [READ, MANAGE],
  [READER]: [READ],
  [STRANGER]: [],
  [OTHER_TENANT]: [READ, MANAGE],
};

/**
 * A multi-tenant host: a service names its tenant; `user:default/acme` and
 * `user:default/acme-…` belong to tenant acme, `user:default/globex` to globex.
 */
const tenantOfUsers = createBackendModule({
  pluginId: 'mailer',
  moduleId: 'tenant-of-users',
  register(env) {
    env.registerInit({
      deps: { tenants: mailerTenantExtensionPoint },
      async init({ tenants }) {
        tenants.setTenantResolver({
          resolveTenant: async ({ credentials, requestedTenantId }) => {
            const { principal } = credentials as {
              principal: { userEntityRef?: string };
            };
            const name = principal.userEntityRef?.split('/').pop();
            return name ? name.split('-')[0] : (requestedTenantId ?? 'default');
          },
        });
      },
    });
  },
});

let smtp: SmtpTestServer;
beforeEach(async () => {
  smtp = await SmtpTestServer.start({
    replies: {
      rcptTo: address =>
        address === GONE
          ? { code: 550, message: `5.1.1 <${GONE}>: no such user` }
          : undefined,
    },
  });
});
afterEach(() => smtp.close());

describe.each(databases.eachSupportedId())(
  'mailer actions on %s',
  databaseId => {
    /**
     * A backend where tenant acme sent a password reset to GONE (failed) and
     * a message to OK with GONE in copy (partial).
     */
    async function start() {
      const consumer = createConsumerPlugin();
      const { server, knex } = await startMailerTestBackend(
        databases,
        databaseId,
        {
          defaultServer: { host: smtp.host, port: smtp.port },
          features: [
            consumer.plugin,
            tenantOfUsers,
            mockServices.permissions.mock({
              // Backstage lets every service past permission checks.
              authorize: async (requests, options) => {
                const { principal } = options!.credentials as {
                  principal: { type: string; userEntityRef?: string };
                };
                const granted =
                  principal.type === 'service'
                    ? [READ, MANAGE]
                    : (GRANTS[principal.userEntityRef ?? ''] ?? []);
                return requests.map(r => ({
                  result: granted.includes(r.permission.name)
                    ? AuthorizeResult.ALLOW
                    : AuthorizeResult.DENY,
                }));
              },
            }).factory,
          ],
        },
      );
      const mailer = consumer.mailer();
      const reset = await mailer.send(
        { to: GONE, subject: `Reset the password of ${GONE}`, text: 'Link' },
        { tenantId: 'acme' },
      );
      const copied = await mailer.send(
        { to: OK, cc: GONE, subject: 'Minutes', text: 'Attached' },
        { tenantId: 'acme' },
      );
      for (const { id } of [reset, copied]) {
        await mailer
          .waitForDelivery(id, { tenantId: 'acme', timeoutMs: 15_000 })
          .catch(() => undefined);
      }
      return { server, knex, reset: reset.id, copied: copied.id };
    }

    function invoke(
      server: Parameters<typeof request>[0],
      name: string,
      authorization: string,
      input: object = {},
    ) {
      return request(server)
        .post(`${ACTIONS}/mailer:${name}/invoke`)
        .set('Authorization', authorization)
        .send(input);
    }

    const user = (ref: string) => mockCredentials.user.header(ref);
    const service = () => mockCredentials.service.header();

    it('offers three read-only actions, none that sends mail or changes settings, to those who may read delivery records', async () => {
      const { server } = await start();
      const listed = await request(server)
        .get(ACTIONS)
        .set('Authorization', user(READER))
        .expect(200);
      expect(
        listed.body.actions.map((a: { id: string }) => a.id).sort(),
      ).toEqual([
        'mailer:explain-recipient-failures',
        'mailer:get-delivery-summary',
        'mailer:get-message-status',
      ]);
      for (const action of listed.body.actions) {
        expect(action.attributes).toEqual({
          readOnly: true,
          destructive: false,
          idempotent: true,
        });
        expect(action.schema.input.type).toBe('object');
        expect(action.schema.output.type).toBe('object');
      }
      // Hidden from a user without mailer.delivery.read, and not callable.
      const hidden = await request(server)
        .get(ACTIONS)
        .set('Authorization', user(STRANGER))
        .expect(200);
      expect(hidden.body.actions).toEqual([]);
      await invoke(server, 'get-delivery-summary', user(STRANGER)).expect(404);
      // Nobody may call them without signing in.
      await invoke(
        server,
        'get-delivery-summary',
        mockCredentials.none.header(),
      ).expect(401);
    });

    it('gives the delivery summary as the route does: in full to managers, masked to readers, never to services', async () => {
      const { server } = await start();
      const viaRoute = await request(server)
        .get('/api/mailer/delivery-summary')
        .set('Authorization', user(MANAGER))
        .expect(200);
      const full = await invoke(
        server,
        'get-delivery-summary',
        user(MANAGER),
      ).expect(200);
      const { recipientsMasked, ...summary } = full.body.output;
      expect(recipientsMasked).toBe(false);
      // The same answer, but for the moment "the last 24 hours" start.
      expect(summary).toEqual({
        ...viaRoute.body,
        singleMessages: {
          ...viaRoute.body.singleMessages,
          since: expect.any(String),
        },
      });
      expect(summary.recentFailures).toHaveLength(2);
      expect(full.text).toContain(GONE);

      const masked = await invoke(
        server,
        'get-delivery-summary',
        user(READER),
      ).expect(200);
      expect(masked.body.output.recipientsMasked).toBe(true);
      expect(masked.text).not.toContain('gone.person');
      expect(masked.body.output.recentFailures[0]).toMatchObject({
        recipients: ['g***@customer.example'],
        subject: 'Minutes',
      });

      const refused = await invoke(
        server,
        'get-delivery-summary',
        service(),
      ).expect(403);
      expect(refused.body.error.message).toContain('is for users');
    });

    it("gives a message's status in full to a service of its tenant, masked to a reader, and nothing of another tenant's", async () => {
      const { server, reset } = await start();
      const forService = await invoke(server, 'get-message-status', service(), {
        id: reset,
        tenantId: 'acme',
      }).expect(200);
      expect(forService.body.output).toMatchObject({
        recipientsMasked: false,
        id: reset,
        state: 'failed',
        rejected: [GONE],
        recipients: [
          {
            address: GONE,
            state: 'failed',
            reply: expect.objectContaining({ responseCode: 550 }),
          },
        ],
      });

      const forReader = await invoke(
        server,
        'get-message-status',
        user(READER),
        {
          id: reset,
        },
      ).expect(200);
      expect(forReader.body.output).toMatchObject({
        recipientsMasked: true,
        state: 'failed',
        rejected: ['g***@customer.example'],
        lastReply: expect.objectContaining({
          response: expect.stringContaining('g***@customer.example'),
        }),
      });
      expect(forReader.text).not.toContain('gone.person');

      const forManager = await invoke(
        server,
        'get-message-status',
        user(MANAGER),
        { id: reset },
      ).expect(200);
      expect(forManager.body.output.rejected).toEqual([GONE]);

      // Another tenant's message is not found, for users and services alike.
      await invoke(server, 'get-message-status', user(OTHER_TENANT), {
        id: reset,
      }).expect(404);
      await invoke(server, 'get-message-status', service(), {
        id: reset,
        tenantId: 'globex',
      }).expect(404);
      // A user cannot pick another tenant.
      await invoke(server, 'get-message-status', user(MANAGER), {
        id: reset,
        tenantId: 'globex',
      }).expect(400);
      await invoke(server, 'get-message-status', service(), {
        id: 'not an id',
      }).expect(400);
    });

    it('explains why mail to a recipient failed: by whole address to managers, by masked address to readers, never to services', async () => {
      const { server, knex, reset, copied } = await start();
      await new SuppressionStore(knex).suppress('acme', GONE, {
        scope: 'all-bulk',
        reason: 'hard-bounce',
      });

      const full = await invoke(
        server,
        'explain-recipient-failures',
        user(MANAGER),
        { recipient: GONE.toUpperCase() },
      ).expect(200);
      const { output } = full.body;
      expect(output.recipientsMasked).toBe(false);
      expect(output.searched).toBe(2);
      // Newest first: the copy (others got it), then the reset.
      expect(output.failures.map((f: { id: string }) => f.id).sort()).toEqual(
        [reset, copied].sort(),
      );
      expect(output.failures).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            id: copied,
            state: 'partial',
            recipient: GONE,
            reply: expect.objectContaining({ responseCode: 550 }),
          }),
          expect.objectContaining({
            id: reset,
            state: 'failed',
            subject: `Reset the password of ${GONE}`,
          }),
        ]),
      );
      expect(output.suppressions).toEqual([
        expect.objectContaining({ address: GONE, reason: 'hard-bounce' }),
      ]);

      // Nobody else's failures: OK got every message.
      const none = await invoke(
        server,
        'explain-recipient-failures',
        user(MANAGER),
        { recipient: OK },
      ).expect(200);
      expect(none.body.output.failures).toEqual([]);

      // A reader may not look for a whole address: the answer would tell them.
      const refused = await invoke(
        server,
        'explain-recipient-failures',
        user(READER),
        { recipient: GONE },
      ).expect(403);
      expect(refused.body.error.message).toContain(MANAGE);
      expect(refused.text).not.toContain('550');

      // The masked form the delivery view shows is answered masked.
      const masked = await invoke(
        server,
        'explain-recipient-failures',
        user(READER),
        { recipient: 'g***@customer.example' },
      ).expect(200);
      expect(masked.body.output.recipientsMasked).toBe(true);
      expect(masked.body.output.failures).toHaveLength(2);
      expect(masked.body.output.suppressions).toBeUndefined();
      expect(masked.text).not.toContain('gone.person');

      await invoke(server, 'explain-recipient-failures', service(), {
        recipient: GONE,
      }).expect(403);
    });
  },
);
