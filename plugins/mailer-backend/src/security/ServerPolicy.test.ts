import { ConfigReader } from '@backstage/config';
import {
  HostLookup,
  ServerPolicy,
  ServerPolicyError,
  TOKEN_URL_TARGET,
} from './ServerPolicy';

/**
 * The DNS of these tests, instead of the machine's (whose answer for a name
 * that does not exist is ENOTFOUND on one machine and EAI_AGAIN on another
 * without a resolver): `localhost` is loopback, names under `.down` time
 * out as when DNS is unreachable, and every other name does not exist.
 */
const testLookup: HostLookup = async host => {
  if (host === 'localhost') {
    return [
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ];
  }
  const code = host.endsWith('.down') ? 'EAI_AGAIN' : 'ENOTFOUND';
  throw Object.assign(new Error(`getaddrinfo ${code} ${host}`), { code });
};

const defaultPolicy = () =>
  ServerPolicy.fromConfig(new ConfigReader({}), testLookup);
const policyWith = (serverPolicy: object, lookup: HostLookup = testLookup) =>
  ServerPolicy.fromConfig(
    new ConfigReader({ mailer: { serverPolicy } }),
    lookup,
  );

async function refusal(promise: Promise<unknown>): Promise<ServerPolicyError> {
  const error = await promise.then(
    () => undefined,
    e => e,
  );
  expect(error).toBeInstanceOf(ServerPolicyError);
  // An InputError by name, so Backstage answers 400.
  expect(error.name).toBe('InputError');
  return error;
}

describe('ServerPolicy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.255.254', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['fc12:3456::1', 'unique-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['100.64.0.1', 'shared (carrier-grade NAT)'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a00:1', 'private'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:c0a8:101::1', 'private'],
    ['64:ff9b:1::a00:1', 'private'],
  ])('refuses %s, a %s address, on save and on connect', async (host, kind) => {
    const policy = defaultPolicy();
    const onSave = await refusal(policy.checkOnSave(host, 587));
    expect(onSave.key).toBe('SMTP.Server');
    expect(onSave.message).toContain(`SMTP.Server ${host} is a`);
    expect(onSave.message).toContain(`${kind} address`);
    await refusal(policy.resolve(host, 587));
  });

  it('refuses a name that resolves to loopback without saying where it points', async () => {
    const error = await refusal(defaultPolicy().resolve('localhost', 587));
    expect(error.key).toBe('SMTP.Server');
    expect(error.message).toContain(
      'SMTP.Server localhost resolves to a private address',
    );
    expect(error.message).not.toMatch(/127\.0\.0\.1|::1/);
    await refusal(defaultPolicy().checkOnSave('localhost', 587));
  });

  it('resolves a name once, refuses it if any of its addresses is internal, and never names that address', async () => {
    const calls: string[] = [];
    const lookup: HostLookup = async host => {
      calls.push(host);
      return [
        { address: '192.0.2.10', family: 4 },
        { address: '10.20.30.40', family: 4 },
      ];
    };
    const policy = policyWith({}, lookup);
    const refused = await refusal(policy.resolve('SMTP.Mixed.Example.', 587));
    expect(calls).toEqual(['smtp.mixed.example']);
    expect(refused.message).not.toContain('10.20.30.40');
    expect(refused.message).not.toContain('192.0.2.10');
  });

  it('returns the address to connect to for a public server', async () => {
    const lookup: HostLookup = async () => [
      { address: '2001:db8::25', family: 6 },
      { address: '192.0.2.25', family: 4 },
    ];
    await expect(
      policyWith({}, lookup).resolve('smtp.example.com', 587),
    ).resolves.toEqual({ address: '2001:db8::25', family: 6 });
    await expect(defaultPolicy().resolve('192.0.2.25', 465)).resolves.toEqual({
      address: '192.0.2.25',
      family: 4,
    });
  });

  it('lets the operator open a host, a range or a name, with their own ports', async () => {
    const policy = policyWith(
      {
        allowedHosts: [
          { host: '127.0.0.1', ports: 'any' },
          { host: '10.20.0.0/16', ports: [2525] },
          'relay.corp.example',
        ],
      },
      async () => [{ address: '10.9.9.9', family: 4 }],
    );
    await expect(policy.resolve('127.0.0.1', 40123)).resolves.toEqual({
      address: '127.0.0.1',
      family: 4,
    });
    await expect(policy.resolve('::ffff:127.0.0.1', 40123)).resolves.toEqual({
      address: '::ffff:127.0.0.1',
      family: 6,
    });
    await expect(policy.resolve('10.20.1.2', 2525)).resolves.toBeDefined();
    const wrongPort = await refusal(policy.resolve('10.20.1.2', 587));
    expect(wrongPort.key).toBe('SMTP.Port');
    await refusal(policy.resolve('10.21.1.2', 2525));
    // A name the operator trusts may resolve to an internal address.
    await expect(policy.resolve('relay.corp.example', 587)).resolves.toEqual({
      address: '10.9.9.9',
      family: 4,
    });
    await refusal(policy.resolve('other.corp.example', 587));
    await refusal(policy.resolve('127.0.0.2', 587));
  });

  it('refuses ports outside the allowed list, before and after resolving', async () => {
    const policy = defaultPolicy();
    for (const port of [22, 80, 6379, 11211]) {
      const error = await refusal(policy.resolve('192.0.2.25', port));
      expect(error.key).toBe('SMTP.Port');
      expect(error.message).toBe(
        `SMTP.Port ${port} is not allowed for tenant SMTP servers here. Allowed ports: 25, 465, 587, 2525.`,
      );
      expect(() => policy.checkPort(port)).toThrow(ServerPolicyError);
    }
    for (const port of [25, 465, 587, 2525]) {
      expect(() => policy.checkPort(port)).not.toThrow();
    }
    const custom = policyWith({
      allowedPorts: [587],
      allowedHosts: [{ host: '192.0.2.7', ports: [8025] }],
    });
    expect(() => custom.checkPort(25)).toThrow(
      'SMTP.Port 25 is not allowed for tenant SMTP servers here. Allowed ports: 587.',
    );
    expect(() => custom.checkPort(8025, '192.0.2.7')).not.toThrow();
  });

  it('names the port and the key when a token URL has a refused port', async () => {
    const error = await refusal(
      defaultPolicy().resolve('192.0.2.25', 8443, TOKEN_URL_TARGET),
    );
    expect(error.key).toBe('SMTP.OAuth.TokenUrl');
    expect(error.message).toBe(
      'Port 8443 in SMTP.OAuth.TokenUrl is not allowed for tenant token endpoints here. Allowed ports: 443.',
    );
  });

  it('refuses what the operator denies, even inside what it allows', async () => {
    const policy = policyWith(
      {
        allowedHosts: ['10.0.0.0/8'],
        deniedHosts: ['10.1.0.0/16', 'smtp.blocked.example'],
      },
      async () => [{ address: '10.1.2.3', family: 4 }],
    );
    await expect(policy.resolve('10.2.0.1', 25)).resolves.toBeDefined();
    const denied = await refusal(policy.resolve('10.1.0.1', 25));
    expect(denied.message).toBe(
      "SMTP.Server 10.1.0.1 is not allowed by the portal's server policy",
    );
    const byName = await refusal(policy.checkOnSave('smtp.blocked.example'));
    expect(byName.key).toBe('SMTP.Server');
    const resolvesIntoDenied = await refusal(
      policy.resolve('relay.example', 25),
    );
    expect(resolvesIntoDenied.message).not.toContain('10.1.2.3');
  });

  it.each([
    ['does not exist', 'smtp.does-not-exist.invalid', 'ENOTFOUND'],
    ['cannot be resolved now', 'smtp.dns.down', 'EAI_AGAIN'],
  ])(
    'accepts a name that %s at save time, but not on connect',
    async (_case, host, code) => {
      const policy = defaultPolicy();
      await expect(policy.checkOnSave(host, 587)).resolves.toBeUndefined();
      await refusal(policy.checkOnSave(host, 22));
      await expect(policy.resolve(host, 587)).rejects.toMatchObject({ code });
    },
  );

  it('says that a name has no address at all', async () => {
    const policy = policyWith({}, async () => []);
    await expect(
      policy.resolve('smtp.empty.example', 587),
    ).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('refuses a configuration mistake at start-up, naming the entry', () => {
    expect(() =>
      policyWith({ allowedHosts: [{ host: '10.0.0.0/33' }] }),
    ).toThrow(
      'mailer.serverPolicy.allowedHosts[0].host must be a host name, an IP address or a range',
    );
    expect(() => policyWith({ allowedPorts: [25, 70000] })).toThrow(
      'mailer.serverPolicy.allowedPorts[1] must be a port from 1 to 65535',
    );
    expect(() =>
      policyWith({ allowedHosts: [{ host: 'a.example', port: 25 }] }),
    ).toThrow('mailer.serverPolicy.allowedHosts[0] has unknown keys: port');
    expect(() => policyWith({ deniedHosts: ['not a host'] })).toThrow(
      'mailer.serverPolicy.deniedHosts[0]',
    );
  });
});
