import { Resolver } from 'node:dns/promises';

/** Where the sender check asks DNS, and how long one check may take. */
export interface SenderDnsOptions {
  /** `ip` or `ip:port` (`[ipv6]:port`); absent or empty: the system's resolvers. */
  servers?: string[];
  /** How long one sender check may wait for DNS in all. */
  timeoutMs: number;
}

/**
 * One DNS lookup as mailauth calls it: `TXT` answers as arrays of strings,
 * others as strings. Fails with c-ares' codes: `ENOTFOUND` (no such name),
 * `ENODATA` (no records of that type), `ETIMEOUT`, `ESERVFAIL`, ….
 */
export type DnsLookup = (name: string, type: string) => Promise<any[]>;

/** Codes of a lookup that answered: the name or its records do not exist. */
const VOID_CODES = new Set(['ENOTFOUND', 'ENODATA']);

/** The DNS of one sender check: its lookups, what they found, and its deadline. */
export interface DnsSession {
  lookup: DnsLookup;
  /** Names looked up for TXT records, lower case (e.g. which SPF includes were followed). */
  readonly txtNames: ReadonlySet<string>;
  /** Whether DNS failed to answer some lookup (timeout, server failure): "could not check", never a pass. */
  readonly failed: boolean;
  /** Whether a lookup said the name does not exist at all (NXDOMAIN). */
  notFound(name: string): boolean;
  /** Stops every lookup still running; later lookups fail with ETIMEOUT. */
  end(): void;
}

/** A lookup failure, with the code the check reads. */
export function dnsCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether a lookup failed because DNS did not answer, rather than saying "none". */
export function isDnsFailure(error: unknown): boolean {
  const code = dnsCodeOf(error);
  return code === undefined || !VOID_CODES.has(code);
}

/**
 * The resolver of the sender check: the operator's DNS servers (tests point
 * it at one on loopback), one deadline for all the lookups of a check, and
 * each name and type asked once per check.
 */
export class SenderDns {
  constructor(private readonly options: SenderDnsOptions) {}

  /** A fresh session: its own resolver, so that ending it cancels only its lookups. */
  session(): DnsSession {
    const { timeoutMs, servers } = this.options;
    // Two tries, each half the time: one lost UDP packet is not a failure.
    const resolver = new Resolver({
      timeout: Math.max(50, Math.floor(timeoutMs / 2)),
      tries: 2,
    });
    if (servers && servers.length > 0) resolver.setServers(servers);
    const answers = new Map<string, Promise<any[]>>();
    const txtNames = new Set<string>();
    const missing = new Set<string>();
    let failed = false;
    let ended = false;
    const timer = setTimeout(() => end(), timeoutMs);
    timer.unref?.();

    function end() {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      resolver.cancel();
    }

    const ask = async (name: string, type: string): Promise<any[]> => {
      if (ended) {
        failed = true;
        throw timedOut(name);
      }
      try {
        return (await resolver.resolve(name, type as 'TXT')) as any[];
      } catch (error) {
        const code = dnsCodeOf(error);
        if (code === 'ENOTFOUND') missing.add(name);
        if (isDnsFailure(error)) {
          failed = true;
          // Cancelled by the deadline: say so as c-ares would.
          if (code === 'ECANCELLED') throw timedOut(name);
        }
        throw error;
      }
    };

    return {
      lookup: (rawName, type) => {
        const name = rawName.toLowerCase().replace(/\.$/, '');
        if (type === 'TXT') txtNames.add(name);
        const key = `${type} ${name}`;
        let answer = answers.get(key);
        if (!answer) {
          answer = ask(name, type);
          answers.set(key, answer);
        }
        return answer;
      },
      txtNames,
      get failed() {
        return failed;
      },
      notFound: name => missing.has(name.toLowerCase().replace(/\.$/, '')),
      end,
    };
  }
}

function timedOut(name: string): Error {
  return Object.assign(new Error(`DNS did not answer for ${name} in time`), {
    code: 'ETIMEOUT',
  });
}
