import {
  createSelfSignedCertificate,
  OAuthTestEndpoint,
} from '@internal/smtp-test-server';
import {
  DEADLINE_MARGIN_MS,
  startDripHttpServer,
  timed,
} from '../__testUtils__/dripServers';
import { OAuthTokens, RefreshTokenRotation, TokenRequest } from './OAuthTokens';
import { TokenError } from './TokenError';
import { TokenEndpoints } from './tokenRequests';

// The token cache against a real token endpoint on loopback.

const app = {
  tenantId: 'contoso-tenant',
  clientId: 'app-client-id',
  clientSecret: 'the-client-Secret-value',
};
const SCOPE = 'https://outlook.office365.com/.default';

let endpoint: OAuthTestEndpoint;
afterEach(async () => endpoint?.close());

function endpointsOf(target: OAuthTestEndpoint): TokenEndpoints {
  return {
    microsoftAuthority: target.baseUrl,
    googleTokenUrl: `${target.baseUrl}/google/token`,
    extraCaCertificates: target.options.certificate
      ? [target.options.certificate.cert]
      : [],
    timeoutMs: 5_000,
  };
}

const microsoft = (extra: Partial<TokenRequest> = {}): TokenRequest => ({
  tenantId: 'tenant-a',
  credentials: { provider: 'microsoft', ...app },
  user: 'mailer@tenant.example',
  scope: SCOPE,
  ...extra,
});

describe('OAuthTokens', () => {
  it('renews a refused token even when it is seconds old, once for many connections, and never hands it out again', async () => {
    endpoint = await OAuthTestEndpoint.start({ microsoft: app });
    const tokens = new OAuthTokens(endpointsOf(endpoint));

    const first = await tokens.get(microsoft());
    expect(await tokens.get(microsoft())).toBe(first);
    expect(endpoint.tokenRequests).toHaveLength(1);

    // Five connections had `first` refused at once: one request between them.
    const renewed = await Promise.all(
      Array.from({ length: 5 }, () =>
        tokens.get(microsoft({ renew: true, refused: first })),
      ),
    );
    expect(new Set(renewed).size).toBe(1);
    expect(renewed[0]).not.toBe(first);
    expect(endpoint.tokenRequests).toHaveLength(2);

    // A connection that learns of the refusal late gets the newer token, no request.
    expect(await tokens.get(microsoft({ renew: true, refused: first }))).toBe(
      renewed[0],
    );
    expect(endpoint.tokenRequests).toHaveLength(2);

    // Renewing without knowing which token was refused always asks anew.
    const third = await tokens.get(microsoft({ renew: true }));
    expect([first, renewed[0]]).not.toContain(third);
    expect(endpoint.tokenRequests).toHaveLength(3);
  });

  it('keeps nothing of credentials the endpoint refuses, and at most 500 entries of those it accepts', async () => {
    endpoint = await OAuthTestEndpoint.start({ microsoft: app });
    const tokens = new OAuthTokens(endpointsOf(endpoint));

    for (let i = 0; i < 20; i++) {
      const wrong = microsoft({
        credentials: {
          provider: 'microsoft',
          ...app,
          clientSecret: `wrong-${i}`,
        },
      });
      await expect(tokens.get(wrong)).rejects.toThrow(/HTTP 401/);
    }
    expect(tokens.size).toBe(0);

    for (let i = 0; i < 520; i++) {
      await tokens.get(microsoft({ user: `user${i}@tenant.example` }));
    }
    expect(tokens.size).toBe(500);
    // The most recent stay: no new request for them.
    const requests = endpoint.tokenRequests.length;
    await tokens.get(microsoft({ user: 'user519@tenant.example' }));
    expect(endpoint.tokenRequests).toHaveLength(requests);
    // The oldest went: asking again needs a request.
    await tokens.get(microsoft({ user: 'user0@tenant.example' }));
    expect(endpoint.tokenRequests).toHaveLength(requests + 1);
  });

  it('reports each rotation with the line of refresh tokens it replaces, and finds the entry under the new one', async () => {
    endpoint = await OAuthTestEndpoint.start({
      certificate: createSelfSignedCertificate(),
      tokenLifetimeSeconds: 1,
      refresh: {
        clientId: 'delegated-client',
        clientSecret: 'delegated-Client-secret',
        refreshToken: 'first-Refresh-token',
        rotate: true,
      },
    });
    const rotations: RefreshTokenRotation[] = [];
    const tokens = new OAuthTokens(endpointsOf(endpoint), async rotation => {
      rotations.push(rotation);
    });
    const credentials = {
      provider: 'refresh-token' as const,
      tokenUrl: `${endpoint.baseUrl}/refresh/token`,
      clientId: 'delegated-client',
      clientSecret: 'delegated-Client-secret',
      refreshToken: 'first-Refresh-token',
    };
    const request = (refreshToken: string): TokenRequest => ({
      tenantId: 'tenant-a',
      credentials: { ...credentials, refreshToken },
      user: 'mailer@tenant.example',
      scope: '',
    });

    const first = await tokens.get(request('first-Refresh-token'));
    const second = endpoint.refreshToken!;
    expect(rotations).toEqual([
      {
        tenantId: 'tenant-a',
        credentials,
        replaces: ['first-Refresh-token'],
        refreshToken: second,
      },
    ]);
    // Settings that stored the rotated token share the entry and its token.
    expect(await tokens.get(request(second))).toBe(first);
    expect(endpoint.tokenRequests).toHaveLength(1);

    // Renewed from settings read before the rotation: the newest token is exchanged.
    await tokens.get({ ...request('first-Refresh-token'), renew: true });
    expect(endpoint.tokenRequests[1].form.refresh_token).toBe(second);
    expect(rotations[1]).toMatchObject({
      replaces: ['first-Refresh-token', second],
      refreshToken: endpoint.refreshToken,
    });
  });

  it('gives up on a token endpoint that drips its answer at its time limit, naming the endpoint', async () => {
    const drip = await startDripHttpServer('body');
    try {
      const tokens = new OAuthTokens({
        microsoftAuthority: drip.url,
        googleTokenUrl: `${drip.url}/google/token`,
        extraCaCertificates: [],
        timeoutMs: 1000,
      });

      const { ms, error } = await timed(() => tokens.get(microsoft()));

      expect(error).toBeInstanceOf(TokenError);
      expect(error?.message).toBe(
        `The token endpoint 127.0.0.1:${drip.port} could not be reached (ETIMEDOUT)`,
      );
      expect(ms).toBeLessThan(1000 + DEADLINE_MARGIN_MS);
    } finally {
      await drip.close();
    }
  });
});
