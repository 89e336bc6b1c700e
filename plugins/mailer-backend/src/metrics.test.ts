import {
  OAuthTestEndpoint,
  SmtpTestServer,
  tokenError,
} from '@internal/smtp-test-server';
import {
  createConsumerPlugin,
  tenantFromCallerModule,
} from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import {
  eventually,
  saveTenantSettings,
  tenantServerSettings,
} from './__testUtils__/outboxHarness';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { MetricPoints, TestMeters } from './__testUtils__/testMeters';
import {
  messagesTo,
  postOneClick,
  unsubscribeLinkOf,
} from './__testUtils__/unsubscribeLinks';

// The mailer's metrics as an operator's collector reads them: through
// Backstage's metrics service into OpenTelemetry, collected by a reader
// here, from a real backend delivering to real SMTP servers.

const databases = createTestDatabases();
const GONE = 'gone.person@customer.example';
const LATER = 'later@customer.example';

let meters: TestMeters;
beforeEach(() => {
  meters = TestMeters.install();
});
afterEach(() => meters.uninstall());

/**
 * No label may name a tenant, an address, a host or a message: each would
 * make one time series per value in the operator's metrics store.
 */
function expectBoundedLabels(points: MetricPoints, tenants: string[]) {
  for (const value of points.allAttributeValues()) {
    expect(tenants).not.toContain(value);
    expect(value).not.toContain('@');
    expect(value).not.toMatch(/127\.0\.0\.1|localhost|example/);
    expect(value).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  }
}

describe.each(databases.eachSupportedId())('metrics on %s', databaseId => {
  let smtp: SmtpTestServer;
  let tenantSmtp: SmtpTestServer;
  afterEach(async () => {
    await smtp?.close();
    await tenantSmtp?.close();
  });

  it('counts messages queued, sent, deferred and failed by priority, server kind and outcome, with their latency and open connections', async () => {
    let laterRefused = false;
    smtp = await SmtpTestServer.start({
      replies: {
        rcptTo: address => {
          if (address === GONE) {
            return { code: 550, message: `5.1.1 <${GONE}>: no such user` };
          }
          if (address === LATER && !laterRefused) {
            laterRefused = true;
            return { code: 451, message: '4.3.0 try again later' };
          }
          return undefined;
        },
      },
    });
    tenantSmtp = await SmtpTestServer.start();
    const consumer = createConsumerPlugin();
    const { server } = await startMailerTestBackend(databases, databaseId, {
      defaultServer: { host: smtp.host, port: smtp.port },
      features: [consumer.plugin, tenantFromCallerModule],
    });
    // Tenant globex sends through its own server, acme through the default mailbox.
    await saveTenantSettings(
      server,
      'globex',
      tenantServerSettings(tenantSmtp),
    );
    const mailer = consumer.mailer();
    const single = (to: string, tenantId: string) =>
      mailer.send({ to, subject: 'Hello', text: 'Hi' }, { tenantId });

    const ids = await Promise.all([
      single(GONE, 'acme'),
      single(LATER, 'acme'),
      single('ok@customer.example', 'acme'),
      single('g1@customer.example', 'globex'),
    ]);
    await mailer.sendBulk(
      { subject: 'News for {{name}}', text: 'Hello {{name}}' },
      [
        { to: 'b1@customer.example', variables: { name: 'B1' } },
        { to: 'b2@customer.example', variables: { name: 'B2' } },
      ],
      { tenantId: 'acme' },
    );
    for (const [i, { id }] of ids.entries()) {
      const tenantId = i === 3 ? 'globex' : 'acme';
      await mailer
        .waitForDelivery(id, { tenantId, timeoutMs: 15_000 })
        .catch(() => undefined);
    }
    let points = await meters.read();
    await eventually(
      async () => {
        points = await meters.read();
        return points.sum('mailer.messages.sent') === 5;
      },
      15_000,
      'five messages counted as sent',
    );

    expect(points.sum('mailer.messages.queued')).toBe(6);
    expect(
      points.sum('mailer.messages.queued', { priority: 'transactional' }),
    ).toBe(4);
    expect(points.sum('mailer.messages.queued', { priority: 'bulk' })).toBe(2);

    const sent = (priority: string, server_kind: string) =>
      points.sum('mailer.messages.sent', {
        priority,
        server_kind,
        outcome: 'sent',
      });
    expect(sent('transactional', 'default')).toBe(2);
    expect(sent('bulk', 'default')).toBe(2);
    expect(sent('transactional', 'smtp')).toBe(1);

    expect(points.attributeSets('mailer.messages.failed')).toEqual([
      {
        priority: 'transactional',
        server_kind: 'default',
        outcome: 'permanent',
      },
    ]);
    expect(points.sum('mailer.messages.failed')).toBe(1);
    expect(points.attributeSets('mailer.messages.deferred')).toEqual([
      { priority: 'transactional', server_kind: 'default', outcome: 'retry' },
    ]);
    expect(points.sum('mailer.messages.deferred')).toBe(1);
    expect(points.sum('mailer.messages.suppressed')).toBe(0);

    // One latency per accepted message, none for the failure.
    expect(points.isHistogram('mailer.delivery.latency')).toBe(true);
    expect(points.histogramCount('mailer.delivery.latency')).toBe(5);
    expect(
      points.histogramCount('mailer.delivery.latency', {
        priority: 'transactional',
        server_kind: 'smtp',
      }),
    ).toBe(1);

    // Both pools keep a connection open for the next message.
    expect(
      points.sum('mailer.connections.open', { server_kind: 'default' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      points.sum('mailer.connections.open', { server_kind: 'smtp' }),
    ).toBeGreaterThanOrEqual(1);

    // Nothing due, nothing paused: read from the database, reported as such.
    expect(points.attributeSets('mailer.outbox.due')).toEqual([
      { priority: 'transactional' },
      { priority: 'bulk' },
    ]);
    expect(points.sum('mailer.outbox.due')).toBe(0);
    expect(points.sum('mailer.outbox.oldest_due_age')).toBe(0);
    expect(points.sum('mailer.servers.paused')).toBe(0);

    expectBoundedLabels(points, ['acme', 'globex']);
  });

  it('reports the due backlog by priority, how long its oldest message has been due, and the paused server with the family of its failure', async () => {
    const consumer = createConsumerPlugin();
    const { knex } = await startMailerTestBackend(databases, databaseId, {
      // Nothing listens there: the first message pauses the default mailbox.
      defaultServer: { host: '127.0.0.1', port: 1 },
      features: [consumer.plugin, tenantFromCallerModule],
      delivery: { pause: { initialDelay: '1h', maxDelay: '1h' } },
    });
    const mailer = consumer.mailer();
    const send = (to: string) =>
      mailer.send({ to, subject: 'Hello', text: 'Hi' }, { tenantId: 'acme' });

    await send('first@customer.example');
    const pauses = async () =>
      Number((await knex('mailer_delivery_pauses').count({ n: '*' }))[0]?.n);
    await eventually(
      async () => (await pauses()) > 0,
      10_000,
      'the default mailbox to be paused',
    );
    // While the pause holds, nothing is claimed: these stay due.
    const due = await Promise.all([
      send('due1@customer.example'),
      send('due2@customer.example'),
    ]);
    await mailer.sendBulk(
      { subject: 'News', text: 'Hello' },
      ['b1', 'b2', 'b3'].map(name => ({ to: `${name}@customer.example` })),
      { tenantId: 'acme' },
    );
    // Due for an hour already, by the database's clock.
    const hourAgo =
      Number((await knex('mailer_outbox').max({ t: 'created_at' }))[0].t) -
      3_600_000;
    await knex('mailer_outbox')
      .whereIn(
        'id',
        due.map(d => d.id),
      )
      .update({ created_at: hourAgo, next_attempt_at: hourAgo });

    const points = await meters.read();

    expect(points.attributeSets('mailer.outbox.due')).toEqual(
      expect.arrayContaining([
        { priority: 'transactional' },
        { priority: 'bulk' },
      ]),
    );
    // The first message waits for the pause to end: not due.
    expect(points.sum('mailer.outbox.due', { priority: 'transactional' })).toBe(
      2,
    );
    expect(points.sum('mailer.outbox.due', { priority: 'bulk' })).toBe(3);
    const oldest = points.sum('mailer.outbox.oldest_due_age', {
      priority: 'transactional',
    });
    expect(oldest).toBeGreaterThanOrEqual(3600);
    expect(oldest).toBeLessThan(3600 + 60);
    expect(
      points.sum('mailer.outbox.oldest_due_age', { priority: 'bulk' }),
    ).toBeLessThan(60);

    expect(points.attributeSets('mailer.servers.paused')).toEqual([
      { server: 'default', reason: 'connection' },
    ]);
    expect(points.sum('mailer.servers.paused')).toBe(1);
    // Given back untried, to wait out the pause.
    expect(
      points.sum('mailer.messages.deferred', {
        priority: 'transactional',
        server_kind: 'default',
        outcome: 'released',
      }),
    ).toBe(1);
    expect(points.sum('mailer.messages.sent')).toBe(0);

    expectBoundedLabels(points, ['acme']);
  });
});

describe('metrics of OAuth2 token requests', () => {
  let endpoint: OAuthTestEndpoint;
  afterEach(() => endpoint?.close());

  it('counts token requests and failures by provider and OAuth2 error, and messages sent through Microsoft Graph', async () => {
    const app = {
      tenantId: 'contoso-tenant',
      clientId: 'graph-app-id',
      clientSecret: 'graph-App-secret-value',
    };
    let refusals = 0;
    endpoint = await OAuthTestEndpoint.start({
      microsoft: app,
      // The first request is refused as a wrong secret is.
      tokenReply: () =>
        refusals++ === 0
          ? tokenError(
              401,
              'invalid_client',
              'AADSTS7000215: Invalid client secret provided.',
            )
          : undefined,
    });
    const consumer = createConsumerPlugin();
    const { server } = await startMailerTestBackend(databases, 'SQLITE_3', {
      defaultServer: { host: '127.0.0.1', port: 1 },
      features: [consumer.plugin, tenantFromCallerModule],
      config: {
        oauth: { microsoft: { authority: endpoint.baseUrl } },
        graph: { baseUrl: endpoint.baseUrl },
      },
    });
    await saveTenantSettings(server, 'contoso', {
      'SMTP.Transport': 'microsoft-graph',
      'SMTP.Username': 'portal@contoso.example',
      'SMTP.OAuth.TenantId': app.tenantId,
      'SMTP.OAuth.ClientId': app.clientId,
      'SMTP.OAuth.ClientSecret': app.clientSecret,
    });
    const mailer = consumer.mailer();
    const { id } = await mailer.send(
      { to: 'alice@customer.example', subject: 'Hello', text: 'Hi' },
      { tenantId: 'contoso' },
    );
    await mailer.waitForDelivery(id, {
      tenantId: 'contoso',
      timeoutMs: 15_000,
    });

    let points = await meters.read();
    await eventually(async () => {
      points = await meters.read();
      return points.sum('mailer.messages.sent') === 1;
    });
    expect(points.attributeSets('mailer.oauth.token_requests')).toEqual([
      { provider: 'microsoft' },
    ]);
    expect(points.sum('mailer.oauth.token_requests')).toBe(
      endpoint.tokenRequests.length,
    );
    expect(points.attributeSets('mailer.oauth.token_failures')).toEqual([
      { provider: 'microsoft', reason: 'invalid_client' },
    ]);
    expect(points.sum('mailer.oauth.token_failures')).toBe(1);
    expect(
      points.sum('mailer.messages.sent', {
        priority: 'transactional',
        server_kind: 'graph',
        outcome: 'sent',
      }),
    ).toBe(1);
    expectBoundedLabels(points, ['contoso']);
  });
});

describe('metrics of unsubscribes, bounces and suppressed mail', () => {
  let smtp: SmtpTestServer;
  afterEach(() => smtp?.close());

  it('counts unsubscribes, bounces, and messages suppressed when queued and when claimed', async () => {
    smtp = await SmtpTestServer.start({
      replies: {
        rcptTo: address =>
          address === GONE
            ? { code: 550, message: '5.1.1 No such mailbox' }
            : undefined,
      },
    });
    const consumer = createConsumerPlugin();
    const { server } = await startMailerTestBackend(databases, 'SQLITE_3', {
      defaultServer: { host: smtp.host, port: smtp.port },
      features: [consumer.plugin],
    });
    const mailer = consumer.mailer();
    await mailer.sendBulk({ subject: 'One', text: 'Hi' }, [
      { to: 'ada@customer.example' },
      { to: 'bob@customer.example' },
    ]);
    const link = unsubscribeLinkOf(
      messagesTo(await smtp.waitForMessages(2), 'ada@customer.example')[0],
    );
    await postOneClick(server, link).expect(200);

    // Ada left the list: her next mailing is stored as suppressed.
    await mailer.sendBulk({ subject: 'Two', text: 'Hi' }, [
      { to: 'ada@customer.example' },
      { to: 'cy@customer.example' },
    ]);
    // No such mailbox: a hard bounce, which holds transactional mail back
    // too, checked when the next message is claimed.
    const reset = () =>
      mailer.send({ to: GONE, subject: 'Your password', text: 'Hi' });
    const first = await reset();
    await expect(mailer.waitForDelivery(first.id)).rejects.toThrow();
    let points = await meters.read();
    await eventually(async () => {
      points = await meters.read();
      return points.sum('mailer.bounces') === 1;
    });
    const second = await reset();
    expect((await mailer.waitForDelivery(second.id)).state).toBe('suppressed');

    await eventually(async () => {
      points = await meters.read();
      return points.sum('mailer.messages.sent') === 3;
    });
    expect(points.attributeSets('mailer.unsubscribes')).toEqual([
      { scope: 'list' },
    ]);
    expect(points.sum('mailer.unsubscribes')).toBe(1);
    expect(points.attributeSets('mailer.messages.suppressed')).toEqual(
      expect.arrayContaining([
        { priority: 'bulk', outcome: 'when_queued' },
        {
          priority: 'transactional',
          server_kind: 'default',
          outcome: 'when_claimed',
        },
      ]),
    );
    expect(points.sum('mailer.messages.suppressed')).toBe(2);
    expect(points.sum('mailer.messages.queued', { priority: 'bulk' })).toBe(3);
    expect(points.attributeSets('mailer.bounces')).toEqual([{ kind: 'hard' }]);
    expect(points.sum('mailer.messages.failed', { outcome: 'permanent' })).toBe(
      1,
    );
    expectBoundedLabels(points, []);
  });
});
