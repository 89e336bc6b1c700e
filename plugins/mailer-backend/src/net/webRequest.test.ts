import {
  DEADLINE_MARGIN_MS,
  DripServer,
  startDripHttpServer,
  timed,
} from '../__testUtils__/dripServers';
import { webRequest } from './webRequest';

const servers: DripServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(s => s.close()));
});

describe('webRequest', () => {
  it.each(['headers', 'body'] as const)(
    'gives up on an endpoint that drips its %s at the deadline, whatever it sends',
    async part => {
      const server = await startDripHttpServer(part);
      servers.push(server);
      const timeoutMs = 1000;

      const { ms, value, error } = await timed(() =>
        webRequest(new URL(`${server.url}/token`), {
          method: 'POST',
          body: 'grant_type=client_credentials',
          timeoutMs,
        }),
      );

      expect(value).toBeUndefined();
      expect(error).toMatchObject({
        code: 'ETIMEDOUT',
        message: expect.stringContaining(`127.0.0.1:${server.port}`),
      });
      expect(ms).toBeGreaterThanOrEqual(timeoutMs - 50);
      expect(ms).toBeLessThan(timeoutMs + DEADLINE_MARGIN_MS);
    },
  );
});
