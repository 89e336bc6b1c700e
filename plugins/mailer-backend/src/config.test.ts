import { ConfigReader } from '@backstage/config';
import { readMailerConfig } from './config';

const base = {
  default: { host: 'smtp.example.com', from: 'no-reply@example.com' },
};
const read = (mailer: object) => readMailerConfig(new ConfigReader({ mailer }));

describe('readMailerConfig', () => {
  it('reads durations in any form Backstage accepts, with sensible defaults', () => {
    const config = read({
      ...base,
      delivery: {
        pollInterval: '250ms',
        lease: { minutes: 2 },
        shutdownTimeout: 'PT5S',
        retry: { maxAge: '12h' },
      },
    });
    expect(config.delivery).toMatchObject({
      pollIntervalMs: 250,
      leaseMs: 120_000,
      shutdownTimeoutMs: 5000,
      maxConnections: 5,
      windowPerConnection: 20,
      retry: { maxAttempts: 8, initialDelayMs: 30_000, maxAgeMs: 43_200_000 },
      retentionMs: 30 * 86_400_000,
    });
    expect(config.defaultServer).toMatchObject({
      port: 587,
      security: 'starttls',
    });
  });

  it('reads the size of the campaign bodies kept in memory in bytes, 32 MB unless set', () => {
    const bytes = (templateCacheSize?: number | string) =>
      read({ ...base, delivery: { templateCacheSize } }).delivery
        .templateCacheBytes;
    expect(bytes()).toBe(32 * 1024 * 1024);
    expect(bytes(1000)).toBe(1000);
    expect(bytes(0)).toBe(0);
    expect(bytes('64MB')).toBe(64 * 1024 * 1024);
    expect(bytes('512 kB')).toBe(512 * 1024);
    expect(bytes('1GiB')).toBe(1024 ** 3);
    expect(bytes('100')).toBe(100);
  });

  it.each(['32 apples', '-1', 2.5, -1, '1.5MB', 'MB', '100TB'])(
    'refuses to start with a template cache size of %j',
    templateCacheSize => {
      expect(() => read({ ...base, delivery: { templateCacheSize } })).toThrow(
        'mailer.delivery.templateCacheSize must be a size from 0 to',
      );
    },
  );

  it("reads the default mailbox's sender name and reply address, and refuses ones that cannot be headers", () => {
    expect(
      read({
        default: {
          ...base.default,
          fromName: 'Elixeum Portal',
          replyTo: 'support@example.com',
        },
      }).defaultServer,
    ).toMatchObject({
      from: 'no-reply@example.com',
      fromName: 'Elixeum Portal',
      replyTo: 'support@example.com',
    });
    expect(() =>
      read({ default: { ...base.default, replyTo: 'not an address' } }),
    ).toThrow('mailer.default.replyTo must be a mail address');
    expect(() =>
      read({
        default: {
          ...base.default,
          fromName: 'Portal\r\nBcc: all@example.com',
        },
      }),
    ).toThrow('mailer.default.fromName must be one line');
  });

  it('keeps the settings history 180 days unless told otherwise', () => {
    expect(read(base).settingsHistoryRetentionMs).toBe(180 * 86_400_000);
    expect(
      read({ ...base, settingsHistory: { retention: { days: 30 } } })
        .settingsHistoryRetentionMs,
    ).toBe(30 * 86_400_000);
    expect(
      read({ ...base, settingsHistory: { retention: 'P1Y' } })
        .settingsHistoryRetentionMs,
    ).toBeGreaterThan(364 * 86_400_000);
  });

  it('re-encrypts secrets under older keys every 10 minutes unless told otherwise', () => {
    expect(read(base).reencryptFrequencyMs).toBe(600_000);
    expect(
      read({ ...base, encryption: { reencryptFrequency: '1h' } })
        .reencryptFrequencyMs,
    ).toBe(3_600_000);
  });

  it.each([
    [
      { encryption: { reencryptFrequency: '10ms' } },
      'mailer.encryption.reencryptFrequency must be a duration of at least 1000 ms',
    ],
    [
      { settingsHistory: { retention: '10s' } },
      'mailer.settingsHistory.retention must be a duration of at least 60000 ms',
    ],
    [
      { settingsHistory: { retention: 'forever' } },
      "Invalid duration 'forever' in config at 'mailer.settingsHistory.retention'",
    ],
    [
      { delivery: { maxConnections: 0 } },
      'mailer.delivery.maxConnections must be a whole number from 1 to 100',
    ],
    [
      { delivery: { windowPerConnection: 2.5 } },
      'mailer.delivery.windowPerConnection must be a whole number',
    ],
    [
      { delivery: { retry: { maxAttempts: -1 } } },
      'mailer.delivery.retry.maxAttempts must be a whole number',
    ],
    [
      { delivery: { pollInterval: '0ms' } },
      'mailer.delivery.pollInterval must be a duration of at least 10 ms',
    ],
    [
      { delivery: { lease: 'soon' } },
      "Invalid duration 'soon' in config at 'mailer.delivery.lease'",
    ],
    [
      { delivery: { lease: '10s', shutdownTimeout: '20s' } },
      'mailer.delivery.shutdownTimeout must be shorter than mailer.delivery.lease',
    ],
    [
      { delivery: { batchSize: 500 } },
      'mailer.delivery.batchSize is no longer read; use mailer.delivery.windowPerConnection',
    ],
    [{ delivery: { leaseSeconds: 60 } }, 'use mailer.delivery.lease'],
    [
      { default: { ...base.default, rateLimit: 0 } },
      'mailer.default.rateLimit must be a whole number from 1',
    ],
    [
      { default: { ...base.default, port: 70000 } },
      'mailer.default.port must be a whole number from 1 to 65535',
    ],
    [
      { default: { ...base.default, security: 'ssl' } },
      'mailer.default.security must be one of starttls, tls, none',
    ],
  ])('refuses to start with %j', (mailer, message) => {
    expect(() => read({ ...base, ...mailer })).toThrow(message);
  });
});
