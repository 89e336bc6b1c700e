import dns, { LookupAddress } from 'node:dns';

/**
 * What a test's DNS answers for a name: an IP address, or undefined for a
 * name it does not know (the system resolver answers those). `api` says who
 * asked: `promises` is `dns/promises` (the server policy and the system
 * resolver of the default mailbox), `callback` is `dns.lookup` (what
 * `net.connect` uses when it is given a name instead of an address).
 */
export type TestDnsAnswer = (
  host: string,
  api: 'promises' | 'callback',
) => string | undefined;

/** One question the test's DNS answered. */
export interface TestDnsLookup {
  host: string;
  api: 'promises' | 'callback';
  address: string;
}

/** A DNS the test controls, in place of the system's; `restore` puts the system's back. */
export interface TestDns {
  /** Every lookup of a name the test answered, in order. */
  readonly lookups: TestDnsLookup[];
  restore(): void;
}

const familyOf = (address: string) => (address.includes(':') ? 6 : 4);

/**
 * Answers names the test knows, through the lookups the backend really
 * calls: the server policy still checks whatever address comes back, and
 * the socket is still opened by Node. Names the test does not know go to
 * the system resolver as before. Only for tests: nothing in the plugin or
 * its config can reach it.
 */
export function installTestDns(answer: TestDnsAnswer): TestDns {
  const lookups: TestDnsLookup[] = [];
  const ask = (host: string, api: TestDnsLookup['api']) => {
    const address = answer(host.toLowerCase(), api);
    if (address !== undefined) lookups.push({ host, api, address });
    return address;
  };

  const promises = dns.promises;
  const systemPromiseLookup = promises.lookup;
  const promiseLookup = (async (host: string, options?: any) => {
    const address = ask(host, 'promises');
    if (address === undefined) {
      return (systemPromiseLookup as any).call(promises, host, options);
    }
    const found: LookupAddress = { address, family: familyOf(address) };
    return typeof options === 'object' && options?.all ? [found] : found;
  }) as typeof promises.lookup;

  const systemCallbackLookup = dns.lookup;
  const callbackLookup = function lookup(
    host: string,
    options: any,
    callback?: (...args: any[]) => void,
  ) {
    const done = typeof options === 'function' ? options : callback!;
    const address = ask(host, 'callback');
    if (address === undefined) {
      return (systemCallbackLookup as any).call(dns, host, options, callback);
    }
    const found = { address, family: familyOf(address) };
    process.nextTick(() =>
      typeof options === 'object' && options?.all
        ? done(null, [found])
        : done(null, found.address, found.family),
    );
    return undefined;
  } as typeof dns.lookup;

  promises.lookup = promiseLookup;
  dns.lookup = callbackLookup;
  return {
    lookups,
    restore() {
      if (promises.lookup === promiseLookup) {
        promises.lookup = systemPromiseLookup;
      }
      if (dns.lookup === callbackLookup) dns.lookup = systemCallbackLookup;
    },
  };
}
