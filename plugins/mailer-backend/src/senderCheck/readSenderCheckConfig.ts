import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { isIP } from 'node:net';

/** How the sender check reads DNS; every field has a default. */
export interface SenderCheckConfig {
  /** `ip`, `ip:port` or `[ipv6]:port`; empty: the system's resolvers. */
  dnsServers: string[];
  /** How long one check may wait for DNS in all. */
  timeoutMs: number;
  /** How long a result is answered again without reading DNS. */
  cacheMs: number;
}

const KEY = 'mailer.senderCheck';

/** Whether `server` is what `Resolver.setServers` takes: an address, with an optional port. */
function isDnsServer(server: string): boolean {
  if (isIP(server) !== 0) return true;
  // [ipv6]:port, or ipv4:port
  const found =
    /^\[([^\]]+)\]:(\d{1,5})$/.exec(server) ??
    /^([^:]+):(\d{1,5})$/.exec(server);
  if (!found) return false;
  const [, address, port] = found;
  const family = isIP(address);
  const bracketed = server.startsWith('[');
  return (
    (bracketed ? family === 6 : family === 4) &&
    Number(port) >= 1 &&
    Number(port) <= 65535
  );
}

function duration(
  config: Config,
  key: string,
  fallback: HumanDuration,
  minMs: number,
  maxMs: number,
): number {
  const value = config.has(key)
    ? durationToMilliseconds(readDurationFromConfig(config, { key }))
    : durationToMilliseconds(fallback);
  if (!Number.isFinite(value) || value < minMs || value > maxMs) {
    throw new Error(
      `${key} must be a duration from ${minMs} ms to ${maxMs} ms, e.g. '5s' or { seconds: 5 }`,
    );
  }
  return value;
}

/** Reads and checks `mailer.senderCheck`; a mistake stops start-up with a message naming the key. */
export function readSenderCheckConfig(config: Config): SenderCheckConfig {
  const dnsServers = config.getOptionalStringArray(`${KEY}.dnsServers`) ?? [];
  const bad = dnsServers.filter(server => !isDnsServer(server));
  if (bad.length > 0) {
    throw new Error(
      `${KEY}.dnsServers must list IP addresses, optionally with a port (192.0.2.53, 192.0.2.53:5353, [2001:db8::53]:53), not ${bad.join(', ')}`,
    );
  }
  return {
    dnsServers,
    timeoutMs: duration(config, `${KEY}.timeout`, { seconds: 5 }, 100, 60_000),
    cacheMs: duration(
      config,
      `${KEY}.cacheTime`,
      { minutes: 10 },
      0,
      24 * 3_600_000,
    ),
  };
}
