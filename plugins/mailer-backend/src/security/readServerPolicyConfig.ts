import { Config } from '@backstage/config';
import { JsonValue } from '@backstage/types';
import { isHostName } from '@elixeum/plugin-mailer-common';
import { parseIpRange } from './ipAddress';

/** The SMTP ports tenant servers may use unless the operator lists others. */
export const DEFAULT_ALLOWED_PORTS: readonly number[] = [25, 465, 587, 2525];

/** A host, address or range the operator opens, optionally on its own ports. */
export interface AllowedHost {
  /** A host name, an IP address, or a range such as `10.20.0.0/16`. */
  host: string;
  /** The ports it may be used on; `any` for all; absent: the allowed ports. */
  ports?: readonly number[] | 'any';
}

/** `mailer.serverPolicy`, checked. */
export interface ServerPolicyConfig {
  allowedPorts: readonly number[];
  allowedHosts: readonly AllowedHost[];
  deniedHosts: readonly string[];
}

const KEY = 'mailer.serverPolicy';

function fail(path: string, message: string): never {
  throw new Error(`${KEY}.${path} ${message}`);
}

function readHost(path: string, value: JsonValue | undefined): string {
  if (
    typeof value !== 'string' ||
    (!isHostName(value) && !parseIpRange(value))
  ) {
    return fail(
      path,
      'must be a host name, an IP address or a range such as 10.0.0.0/8',
    );
  }
  return value.toLowerCase();
}

function readPorts(path: string, value: JsonValue | undefined): number[] {
  if (!Array.isArray(value)) return fail(path, 'must be a list of ports');
  return value.map((port, i) =>
    typeof port === 'number' &&
    Number.isInteger(port) &&
    port >= 1 &&
    port <= 65535
      ? port
      : fail(`${path}[${i}]`, 'must be a port from 1 to 65535'),
  );
}

function readAllowedHost(path: string, value: JsonValue): AllowedHost {
  if (typeof value === 'string') return { host: readHost(path, value) };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(path, 'must be a host, or { host, ports }');
  }
  const { host, ports, ...rest } = value;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) fail(path, `has unknown keys: ${unknown.join(', ')}`);
  return {
    host: readHost(`${path}.host`, host),
    ports: readEntryPorts(`${path}.ports`, ports),
  };
}

function readEntryPorts(
  path: string,
  value: JsonValue | undefined,
): AllowedHost['ports'] {
  if (value === undefined) return undefined;
  if (value === 'any') return 'any';
  return readPorts(path, value);
}

function readList(config: Config, key: string): JsonValue[] {
  const value = config.getOptional(`${KEY}.${key}`);
  if (value === undefined) return [];
  if (!Array.isArray(value)) return fail(key, 'must be a list');
  return value;
}

/** Reads `mailer.serverPolicy`; a mistake stops start-up with a message naming the entry. */
export function readServerPolicyConfig(config: Config): ServerPolicyConfig {
  const ports = config.getOptional(`${KEY}.allowedPorts`);
  return {
    allowedPorts:
      ports === undefined
        ? DEFAULT_ALLOWED_PORTS
        : readPorts('allowedPorts', ports),
    allowedHosts: readList(config, 'allowedHosts').map((entry, i) =>
      readAllowedHost(`allowedHosts[${i}]`, entry),
    ),
    deniedHosts: readList(config, 'deniedHosts').map((entry, i) =>
      readHost(`deniedHosts[${i}]`, entry),
    ),
  };
}
