import { ConfigReader } from '@backstage/config';
import { readSenderCheckConfig } from './readSenderCheckConfig';

const read = (senderCheck?: object) =>
  readSenderCheckConfig(new ConfigReader({ mailer: { senderCheck } }));

describe('readSenderCheckConfig', () => {
  it("defaults to the system's resolvers, 5 seconds and results kept 10 minutes", () => {
    expect(read()).toEqual({
      dnsServers: [],
      timeoutMs: 5000,
      cacheMs: 600_000,
    });
  });

  it('takes DNS servers as addresses with optional ports, and durations', () => {
    expect(
      read({
        dnsServers: [
          '192.0.2.53',
          '127.0.0.1:5353',
          '2001:db8::53',
          '[::1]:53',
        ],
        timeout: '2s',
        cacheTime: { minutes: 1 },
      }),
    ).toEqual({
      dnsServers: ['192.0.2.53', '127.0.0.1:5353', '2001:db8::53', '[::1]:53'],
      timeoutMs: 2000,
      cacheMs: 60_000,
    });
  });

  it.each([
    [
      { dnsServers: ['dns.example.com'] },
      'mailer.senderCheck.dnsServers must list IP addresses',
    ],
    [{ dnsServers: ['127.0.0.1:99999'] }, 'not 127.0.0.1:99999'],
    [{ dnsServers: ['[192.0.2.1]:53'] }, 'not [192.0.2.1]:53'],
    [
      { timeout: '10ms' },
      'mailer.senderCheck.timeout must be a duration from 100 ms',
    ],
    [{ timeout: '2m' }, 'mailer.senderCheck.timeout must be a duration'],
    [{ cacheTime: '2d' }, 'mailer.senderCheck.cacheTime must be a duration'],
  ])('refuses %j naming the key', (senderCheck, message) => {
    expect(() => read(senderCheck)).toThrow(message);
  });
});
