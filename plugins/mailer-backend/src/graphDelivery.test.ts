import {
  GraphReply,
  GraphSendRequest,
  OAuthTestEndpoint,
  parseMime,
} from '@internal/smtp-test-server';
import { createConsumerPlugin } from './__testUtils__/consumerPlugin';
import { startMailerTestBackend } from './__testUtils__/mailerTestBackend';
import { eventually } from './__testUtils__/outboxHarness';
import { saveSettings } from './__testUtils__/saveSettings';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { waitForPause } from './__testUtils__/waitForPause';

// Microsoft Graph as a transport, against a Graph endpoint on loopback that
// checks the bearer token and keeps the MIME it was given.

const databases = createTestDatabases();
const MAILBOX = 'portal@contoso.example';
const app = {
  tenantId: 'contoso-tenant',
  clientId: 'graph-app-id',
  clientSecret: 'graph-App-secret-value',
};

let endpoint: OAuthTestEndpoint;
afterEach(async () => endpoint?.close());

async function start(
  graphReply?: (request: GraphSendRequest) => GraphReply | undefined,
) {
  endpoint = await OAuthTestEndpoint.start({ microsoft: app, graphReply });
  const consumer = createConsumerPlugin();
  const started = await startMailerTestBackend(databases, 'SQLITE_3', {
    defaultServer: { host: '127.0.0.1', port: 1 },
    features: [consumer.plugin],
    config: {
      oauth: { microsoft: { authority: endpoint.baseUrl } },
      graph: { baseUrl: endpoint.baseUrl },
    },
  });
  await saveSettings(started.server, {
    'SMTP.Transport': 'microsoft-graph',
    'SMTP.Username': MAILBOX,
    'SMTP.OAuth.TenantId': app.tenantId,
    'SMTP.OAuth.ClientId': app.clientId,
    'SMTP.OAuth.ClientSecret': app.clientSecret,
    'SMTP.FromName': 'Contoso Portal',
    'SMTP.ReplyTo': 'help@contoso.example',
  });
  return { ...started, mailer: consumer.mailer() };
}

describe('Microsoft Graph transport', () => {
  it('sends the MIME message with headers, both parts and an attachment intact, with a Graph token', async () => {
    const { mailer } = await start();
    await mailer.send({
      to: 'alice@example.com',
      cc: 'carol@example.com',
      bcc: 'bob@example.com',
      subject: 'Quarterly report — ready',
      text: 'Plain part',
      html: '<p>HTML <b>part</b></p>',
      attachments: [
        {
          filename: 'report.csv',
          content: 'a,b\n1,2\n',
          contentType: 'text/csv',
        },
      ],
    });
    await eventually(() => endpoint.graphRequests.length === 1, 10_000);

    const [sent] = endpoint.graphRequests;
    expect(sent.mailbox).toBe(MAILBOX);
    expect(endpoint.issued).toEqual([
      expect.objectContaining({
        grant: 'client_credentials',
        scope: 'https://graph.microsoft.com/.default',
      }),
    ]);
    const parsed = await parseMime(sent.mime);
    expect(parsed.subject).toBe('Quarterly report — ready');
    expect(parsed.from?.value).toEqual([
      { address: MAILBOX, name: 'Contoso Portal' },
    ]);
    expect(parsed.replyTo?.value[0].address).toBe('help@contoso.example');
    expect(parsed.text?.trim()).toBe('Plain part');
    expect(parsed.html).toContain('<p>HTML <b>part</b></p>');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0].filename).toBe('report.csv');
    expect(parsed.attachments[0].content.toString()).toBe('a,b\n1,2\n');
    // Graph has no envelope: Bcc travels in the MIME, and Graph drops it from what recipients see.
    expect(sent.mime).toMatch(/^Bcc: bob@example\.com/m);
  });

  it('waits as long as Retry-After says when Graph throttles, then sends', async () => {
    let throttled = 0;
    const { mailer } = await start(() =>
      throttled++ === 0
        ? {
            status: 429,
            headers: { 'Retry-After': '2' },
            body: {
              error: {
                code: 'ApplicationThrottled',
                message: 'Too many requests',
              },
            },
          }
        : undefined,
    );
    const startedAt = Date.now();
    await mailer.send({ to: 'alice@example.com', subject: 'Hi', text: 'x' });
    await eventually(() => endpoint.graphRequests.length === 1, 15_000);
    expect(throttled).toBe(2);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_900);
  });

  it('pauses the tenant with advice when Graph denies the mailbox (403)', async () => {
    const { mailer, server } = await start(() => ({
      status: 403,
      body: {
        error: {
          code: 'ErrorAccessDenied',
          message: 'Access is denied. Check credentials and try again.',
        },
      },
    }));
    await mailer.send({ to: 'alice@example.com', subject: 'Hi', text: 'x' });
    const summary = await waitForPause(server);
    expect(summary.pause?.reason).toMatch(/Mail\.Send/);
    expect(summary.pause?.advice).toMatch(/Test-ApplicationAccessPolicy/);
    expect(endpoint.graphRequests).toHaveLength(0);
  });

  it('tries once more with a new token when Graph refuses one (401), then pauses with advice', async () => {
    const tokensRefused: string[] = [];
    const { mailer, server } = await start(request => {
      tokensRefused.push(request.token);
      return {
        status: 401,
        body: {
          error: {
            code: 'InvalidAuthenticationToken',
            message: 'Access token validation failure.',
          },
        },
      };
    });
    await mailer.send({ to: 'alice@example.com', subject: 'Hi', text: 'x' });
    const summary = await waitForPause(server);
    expect(summary.pause?.reason).toMatch(
      /refused the app's token \(401 InvalidAuthenticationToken\)/,
    );
    expect(summary.pause?.advice).toMatch(/SMTP\.OAuth\.TenantId/);
    // The first attempt and its retry, each with a token of its own.
    expect(tokensRefused.slice(0, 2)).toEqual(
      endpoint.issued.slice(0, 2).map(t => t.token),
    );
    expect(tokensRefused[0]).not.toBe(tokensRefused[1]);
  });

  it('waits until the date Retry-After gives when Graph throttles, then sends', async () => {
    let throttled = 0;
    const { mailer } = await start(() =>
      throttled++ === 0
        ? {
            status: 503,
            headers: {
              'Retry-After': new Date(Date.now() + 3_000).toUTCString(),
            },
            body: { error: { code: 'ServiceUnavailable' } },
          }
        : undefined,
    );
    const startedAt = Date.now();
    await mailer.send({ to: 'alice@example.com', subject: 'Hi', text: 'x' });
    await eventually(() => endpoint.graphRequests.length === 1, 15_000);
    // The date has whole seconds: at least two of the three remain.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_900);
  });
});
