import { mockCredentials } from '@backstage/backend-test-utils';
import { SmtpTestServer } from '@internal/smtp-test-server';
import express from 'express';
import request from 'supertest';
import { startMailerTestBackend } from '../__testUtils__/mailerTestBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { createRouter, RouterOptions } from '../router';
import { permissionsAllowing } from '../__testUtils__/permissionsAllowing';

const databases = createTestDatabases();

/**
 * Who each route is for. The first test fails until a new route is listed
 * here, so no route can be added without deciding its audience. `public`
 * routes take no credentials at all (unsubscribe links, RFC 8058).
 */
const ACCESS: Record<
  string,
  {
    audience: 'user' | 'service' | 'public';
    permission?: string;
    body?: object;
  }
> = {
  'GET /settings': { audience: 'user', permission: 'mailer.settings.read' },
  'GET /settings/history': {
    audience: 'user',
    permission: 'mailer.settings.read',
  },
  'GET /status': { audience: 'user', permission: 'mailer.settings.read' },
  'PUT /settings': {
    audience: 'user',
    permission: 'mailer.settings.manage',
    body: { values: { 'SMTP.From': 'portal@example.com' } },
  },
  'DELETE /settings/:key': {
    audience: 'user',
    permission: 'mailer.settings.manage',
  },
  'POST /connection-test': {
    audience: 'user',
    permission: 'mailer.settings.manage',
    body: {},
  },
  'POST /sender-check': {
    audience: 'user',
    permission: 'mailer.settings.manage',
    body: {},
  },
  'GET /dkim-key': { audience: 'user', permission: 'mailer.settings.read' },
  'POST /dkim-key': {
    audience: 'user',
    permission: 'mailer.settings.manage',
    body: {},
  },
  'GET /bounce-reports': {
    audience: 'user',
    permission: 'mailer.delivery.read',
  },
  'GET /delivery-summary': {
    audience: 'user',
    permission: 'mailer.delivery.read',
  },
  'GET /suppressions': {
    audience: 'user',
    permission: 'mailer.delivery.read',
  },
  'DELETE /suppressions': {
    audience: 'user',
    permission: 'mailer.settings.manage',
  },
  'GET /unsubscribe/:token': { audience: 'public' },
  'POST /unsubscribe/:token': { audience: 'public' },
  'POST /messages': {
    audience: 'service',
    body: { message: { to: 'a@example.com', subject: 's', text: 't' } },
  },
  'POST /messages/batch': {
    audience: 'service',
    body: {
      messages: [
        {
          idempotencyKey: 'k-1',
          message: { to: 'a@example.com', subject: 's', text: 't' },
        },
      ],
    },
  },
  'GET /messages/:id': { audience: 'service' },
  'POST /campaigns': {
    audience: 'service',
    body: { template: { subject: 's', text: 't' } },
  },
  'POST /campaigns/:id/recipients': {
    audience: 'service',
    body: { recipients: [{ to: 'a@example.com' }] },
  },
  'DELETE /campaigns/:id': { audience: 'service' },
  'POST /bounces': { audience: 'service', body: { report: 'not a report' } },
};

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every route of an express router, nested routers included, as `METHOD /path`. */
function routesOf(stack: Layer[]): string[] {
  return stack.flatMap(layer => {
    if (layer.route) {
      return Object.keys(layer.route.methods).map(
        method => `${method.toUpperCase()} ${layer.route!.path}`,
      );
    }
    return layer.handle?.stack ? routesOf(layer.handle.stack) : [];
  });
}

async function theRoutes(): Promise<string[]> {
  // Only listed, never called: the router is built without working services.
  const router = await createRouter({} as RouterOptions);
  return routesOf((router as unknown as express.Router).stack as Layer[]);
}

function path(route: string): string {
  return route
    .split(' ')[1]
    .replace(':key', 'SMTP.From')
    .replace(':token', 'not-a-token')
    .replace(':id', '0f7d8e3c-2a6b-4c1d-9e8f-1a2b3c4d5e6f');
}

function send(
  server: Parameters<typeof request>[0],
  route: string,
  authorization: string,
) {
  const [method] = route.split(' ');
  const call = (request(server) as any)
    [method.toLowerCase()](`/api/mailer${path(route)}`)
    .set('Authorization', authorization);
  const body = ACCESS[route]?.body;
  return body ? call.send(body) : call;
}

let smtp: SmtpTestServer;
beforeAll(async () => {
  smtp = await SmtpTestServer.start();
});
afterAll(() => smtp.close());

describe('the route table', () => {
  it('lists every route the router has, and only those', async () => {
    const routes = await theRoutes();
    expect(routes.length).toBeGreaterThan(0);
    expect([...routes].sort()).toEqual(Object.keys(ACCESS).sort());
  });
});

describe.each(databases.eachSupportedId())('route access on %s', databaseId => {
  /** The permissions the permission service allows right now; none by default. */
  const allowed = new Set<string>();
  async function start() {
    allowed.clear();
    const { server } = await startMailerTestBackend(databases, databaseId, {
      defaultServer: { host: smtp.host, port: smtp.port },
      features: [permissionsAllowing(name => allowed.has(name))],
    });
    return server;
  }

  it('refuses every route without credentials (401), and each audience on the other’s routes', async () => {
    const server = await start();
    // Every permission allowed: only the audience can stop a request.
    for (const { permission } of Object.values(ACCESS)) {
      if (permission) allowed.add(permission);
    }
    for (const route of await theRoutes()) {
      const none = await send(server, route, mockCredentials.none.header());
      // A public route lets it past the credentials barrier: the made-up
      // link is refused as such.
      const expected = ACCESS[route].audience === 'public' ? 400 : 401;
      expect([route, none.status]).toEqual([route, expected]);
      if (ACCESS[route].audience === 'public') continue;

      const wrongAudience =
        ACCESS[route].audience === 'user'
          ? mockCredentials.service.header()
          : mockCredentials.user.header('user:default/ada');
      const refused = await send(server, route, wrongAudience);
      expect([route, [401, 403].includes(refused.status)]).toEqual([
        route,
        true,
      ]);
    }
  });

  it('refuses a user without the route’s permission (403), and lets one with exactly that permission through', async () => {
    const server = await start();
    const user = mockCredentials.user.header('user:default/ada');
    for (const route of await theRoutes()) {
      const { audience, permission } = ACCESS[route];
      if (audience !== 'user') continue;
      allowed.clear();
      const denied = await send(server, route, user);
      expect([route, denied.status]).toEqual([route, 403]);
      expect(denied.body.error.message).toBe(
        `Missing permission ${permission}`,
      );

      allowed.add(permission!);
      const permitted = await send(server, route, user);
      expect([route, [401, 403].includes(permitted.status)]).toEqual([
        route,
        false,
      ]);
    }
  });

  it('lets a plugin use the service routes', async () => {
    const server = await start();
    for (const route of await theRoutes()) {
      if (ACCESS[route].audience !== 'service') continue;
      const response = await send(
        server,
        route,
        mockCredentials.service.header(),
      );
      // The made-up message and campaign ids are not found; the rest succeed.
      expect([route, response.status < 300 || response.status === 404]).toEqual(
        [route, true],
      );
    }
  });
});
