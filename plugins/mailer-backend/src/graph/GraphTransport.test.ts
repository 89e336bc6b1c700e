import {
  DEADLINE_MARGIN_MS,
  startDripHttpServer,
  timed,
} from '../__testUtils__/dripServers';
import { GraphTransport } from './GraphTransport';

describe('GraphTransport', () => {
  it.each(['headers', 'body'] as const)(
    'fails a send whose answer drips its %s at the time limit, as a failure to reach Graph',
    async part => {
      const drip = await startDripHttpServer(part);
      try {
        const transport = new GraphTransport(
          {
            host: 'graph.microsoft.com',
            port: 443,
            security: 'tls',
            transport: 'microsoft-graph',
            from: 'mailer@tenant.example',
            auth: {
              kind: 'oauth2',
              user: 'mailer@tenant.example',
              oauth: {
                provider: 'microsoft',
                tenantId: 'contoso-tenant',
                clientId: 'app-client-id',
                clientSecret: 'the-client-Secret-value',
              },
            },
          },
          {
            baseUrl: drip.url,
            maxConcurrent: 1,
            accessToken: async () => 'a-token',
            extraCaCertificates: [],
            timeoutMs: 1000,
          },
        );

        const { ms, error } = await timed(() =>
          transport.send(
            { from: 'mailer@tenant.example', to: ['ada@example.com'] },
            () => 'Subject: hello\r\n\r\nHello',
          ),
        );

        expect(error).toMatchObject({
          stage: 'connect',
          failure: expect.objectContaining({
            code: 'ETIMEDOUT',
            message: expect.stringContaining(`127.0.0.1:${drip.port}`),
          }),
        });
        expect(ms).toBeLessThan(1000 + DEADLINE_MARGIN_MS);
        expect(transport.busy).toBe(0);
      } finally {
        await drip.close();
      }
    },
  );
});
