import { ConfigReader } from '@backstage/config';
import {
  findIgnoredUpstreamKeys,
  readMailerNotificationsConfig,
} from './config';

function read(mailer: object | undefined) {
  return readMailerNotificationsConfig(
    new ConfigReader({ notifications: { processors: { mailer } } }),
  );
}

describe('readMailerNotificationsConfig', () => {
  it('defaults to the upstream channel name, no broadcast email, and an hour of caching', () => {
    expect(readMailerNotificationsConfig(new ConfigReader({}))).toEqual({
      channel: 'Email',
      filter: {},
      broadcast: { receiver: 'none' },
      addressRules: {},
      cacheTtlMs: 3_600_000,
    });
  });

  it('reads the keys upstream users rely on', () => {
    const config = read({
      channel: 'Tenant email',
      broadcastConfig: {
        receiver: 'config',
        receiverEmails: ['ops@a.example'],
      },
      filter: {
        minSeverity: 'normal',
        maxSeverity: 'critical',
        excludedTopics: ['x'],
      },
      allowedEmailDomains: ['A.example'],
      allowlistEmailAddresses: [' Ada@B.example '],
      denylistEmailAddresses: ['Eve@A.example'],
      cache: { ttl: { minutes: 5 } },
    });
    expect(config).toEqual({
      channel: 'Tenant email',
      broadcast: { receiver: 'config', addresses: ['ops@a.example'] },
      filter: expect.objectContaining({
        minSeverity: 'normal',
        maxSeverity: 'critical',
        excludedTopics: ['x'],
      }),
      addressRules: {
        allowedDomains: ['a.example'],
        allowlist: ['ada@b.example'],
        denylist: ['eve@a.example'],
      },
      cacheTtlMs: 300_000,
    });
  });

  it.each([
    [
      { broadcastConfig: { receiver: 'all' } },
      /receiver must be none, users or config/,
    ],
    [
      {
        broadcastConfig: {
          receiver: 'config',
          receiverEmails: ['not an address'],
        },
      },
      /receiverEmails has 1 invalid address/,
    ],
    [{ filter: { minSeverity: 'urgent' } }, /Invalid minSeverity/],
    [
      { filter: { minSeverity: 'critical', maxSeverity: 'high' } },
      /no notification would be emailed/,
    ],
    [{ channel: 'Web' }, /other than Web/],
  ])('refuses to start with %j', (mailer, message) => {
    expect(() => read(mailer)).toThrow(message);
  });

  it('names the upstream keys it ignores', () => {
    const config = new ConfigReader({
      notifications: {
        processors: {
          mailer: {
            sender: 'a@b.example',
            transportConfig: {},
            channel: 'Email',
          },
        },
      },
    });
    expect(findIgnoredUpstreamKeys(config)).toEqual([
      'notifications.processors.mailer.transportConfig',
      'notifications.processors.mailer.sender',
    ]);
  });
});
