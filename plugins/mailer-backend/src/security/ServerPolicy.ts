import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { SMTP_KEYS } from '@elixeum/plugin-mailer-common';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  bareAddress,
  inRange,
  IpBytes,
  IpRange,
  parseIp,
  parseIpRange,
} from './ipAddress';
import { internalAddressKind } from './internalAddresses';
import {
  AllowedHost,
  readServerPolicyConfig,
  ServerPolicyConfig,
} from './readServerPolicyConfig';

/** The address to connect to, as resolved once by the policy. */
export interface ResolvedServer {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses, as `dns.lookup` with `all: true` does. */
export type HostLookup = (host: string) => Promise<ResolvedServer[]>;

/**
 * A tenant's server was refused by the server policy. An `InputError` (400)
 * whose message names the setting; it never shows what a name resolved to.
 */
export class ServerPolicyError extends InputError {
  constructor(
    /** The setting to change, e.g. `SMTP.Server` or `SMTP.Port`. */
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

const HOW_TO_ALLOW =
  'A portal operator can allow an internal relay in mailer.serverPolicy.allowedHosts.';
/** At save time a slow DNS must not hold up the form; delivery checks again. */
const SAVE_LOOKUP_TIMEOUT_MS = 5000;

/**
 * What a check is about: a tenant's SMTP server (the default), or another
 * endpoint a tenant's settings name (its OAuth2 token URL). It names the
 * setting in errors and says which ports are allowed by default.
 */
export interface PolicyTarget {
  serverKey: string;
  portKey: string;
  /** The ports allowed unless an allowed host says otherwise; the config's when absent. */
  ports?: readonly number[];
  /** What kind of server it is, in messages: "SMTP servers". */
  kind: string;
}

const SMTP_TARGET: PolicyTarget = {
  serverKey: SMTP_KEYS.server,
  portKey: SMTP_KEYS.port,
  kind: 'SMTP servers',
};

interface Rule {
  name?: string;
  range?: IpRange;
  ports?: readonly number[] | 'any';
}

function toRule(entry: AllowedHost | string): Rule {
  const host = typeof entry === 'string' ? entry : entry.host;
  const ports = typeof entry === 'string' ? undefined : entry.ports;
  const range = parseIpRange(host);
  return range ? { range, ports } : { name: normalise(host), ports };
}

function normalise(host: string): string {
  const bare = bareAddress(host).toLowerCase();
  return bare.endsWith('.') ? bare.slice(0, -1) : bare;
}

const systemLookup: HostLookup = async host =>
  (await dnsLookup(host, { all: true, verbatim: true })).map(a => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/**
 * Which SMTP servers a tenant may point its mail at. By default no internal
 * address (loopback, private, link-local, unique-local, CGNAT, multicast,
 * cloud metadata) and only the usual SMTP ports, so the settings cannot be
 * used to probe the portal's own network. The operator opens hosts, ranges
 * and ports with `mailer.serverPolicy`; the default mailbox is not subject
 * to it.
 */
export class ServerPolicy {
  private readonly allowed: Rule[];
  private readonly denied: Rule[];

  static fromConfig(config: Config, lookup?: HostLookup): ServerPolicy {
    return new ServerPolicy(readServerPolicyConfig(config), lookup);
  }

  constructor(
    private readonly config: ServerPolicyConfig,
    private readonly lookup: HostLookup = systemLookup,
  ) {
    this.allowed = config.allowedHosts.map(toRule);
    this.denied = config.deniedHosts.map(toRule);
  }

  /**
   * Checks a port before anything is resolved: the allowed ports, or those
   * of an allowed entry naming this very host or IP address.
   */
  checkPort(port: number, host?: string, target = SMTP_TARGET): void {
    const address = host === undefined ? undefined : parseIp(host);
    const rule =
      host === undefined
        ? undefined
        : this.allowed.find(r => this.matches(r, normalise(host), address));
    this.assertPort(port, rule?.ports, target);
  }

  /**
   * Resolves the server's name once, checks every address it resolves to,
   * and returns the one to connect to, so that no second lookup can swap in
   * another address between the check and the connection. Throws
   * `ServerPolicyError` for a refused server or port; a name that does not
   * resolve rejects with the resolver's own error (e.g. `ENOTFOUND`).
   */
  async resolve(
    host: string,
    port: number,
    target = SMTP_TARGET,
  ): Promise<ResolvedServer> {
    const addresses = await this.addressesOf(host);
    if (addresses.length === 0) {
      throw Object.assign(new Error(`${host} has no address`), {
        code: 'ENOTFOUND',
      });
    }
    this.check(host, port, addresses, target);
    return addresses[0];
  }

  /**
   * The check when settings are saved or tested: refuses denied addresses
   * and names that resolve to them, and ports not allowed. A name that does
   * not resolve now is accepted (DNS may be down); delivery checks again.
   */
  async checkOnSave(
    host: string,
    port?: number,
    target = SMTP_TARGET,
  ): Promise<void> {
    let addresses: ResolvedServer[] = [];
    try {
      addresses = await withTimeout(
        this.addressesOf(host),
        SAVE_LOOKUP_TIMEOUT_MS,
      );
    } catch {
      // Not resolvable now: judged by its name alone.
    }
    this.check(host, port, addresses, target);
  }

  private async addressesOf(host: string): Promise<ResolvedServer[]> {
    const bare = bareAddress(host);
    if (parseIp(bare))
      return [{ address: bare, family: isIP(bare) === 6 ? 6 : 4 }];
    return this.lookup(normalise(host));
  }

  private check(
    host: string,
    port: number | undefined,
    addresses: ResolvedServer[],
    target: PolicyTarget,
  ): void {
    const name = normalise(host);
    const literal = parseIp(host) !== undefined;
    if (this.denied.some(r => r.name === name)) {
      throw this.refused(host, target);
    }
    if (!literal && addresses.length === 0) {
      const rule = this.allowed.find(r => r.name === name);
      if (port !== undefined) this.assertPort(port, rule?.ports, target);
      return;
    }
    for (const { address } of addresses) {
      const bytes = parseIp(address)!;
      if (this.denied.some(r => this.matches(r, undefined, bytes))) {
        throw this.refused(host, target);
      }
      const rule = this.allowed.find(r => this.matches(r, name, bytes));
      if (!rule) {
        const kind = internalAddressKind(bytes);
        if (kind) {
          const what = `${target.serverKey} ${host}`;
          throw new ServerPolicyError(
            target.serverKey,
            literal
              ? `${what} is ${kind === 'unspecified' ? 'an' : 'a'} ${kind} address; tenant ${target.kind} must be reachable on the internet. ${HOW_TO_ALLOW}`
              : `${what} resolves to a private address; tenant ${target.kind} must be reachable on the internet. ${HOW_TO_ALLOW}`,
          );
        }
      }
      if (port !== undefined) this.assertPort(port, rule?.ports, target);
    }
  }

  private matches(rule: Rule, name?: string, address?: IpBytes): boolean {
    if (rule.name !== undefined) return rule.name === name;
    return address !== undefined && inRange(address, rule.range!);
  }

  private assertPort(
    port: number,
    ports: readonly number[] | 'any' | undefined,
    target: PolicyTarget,
  ): void {
    if (ports === 'any') return;
    const allowed = ports ?? target.ports ?? this.config.allowedPorts;
    if (!allowed.includes(port)) {
      // A URL's port is part of its key's value: name the port and the key.
      const what =
        target.portKey === target.serverKey
          ? `Port ${port} in ${target.portKey}`
          : `${target.portKey} ${port}`;
      throw new ServerPolicyError(
        target.portKey,
        `${what} is not allowed for tenant ${
          target.kind
        } here. Allowed ports: ${allowed.join(', ')}.`,
      );
    }
  }

  private refused(host: string, target: PolicyTarget): ServerPolicyError {
    return new ServerPolicyError(
      target.serverKey,
      `${target.serverKey} ${host} is not allowed by the portal's server policy`,
    );
  }
}

/** The policy for a tenant's OAuth2 token URL: an https endpoint, on port 443. */
export const TOKEN_URL_TARGET: PolicyTarget = {
  serverKey: SMTP_KEYS.oauthTokenUrl,
  portKey: SMTP_KEYS.oauthTokenUrl,
  ports: [443],
  kind: 'token endpoints',
};

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
