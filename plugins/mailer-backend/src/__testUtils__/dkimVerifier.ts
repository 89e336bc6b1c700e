import { DnsTestServer } from '@internal/smtp-test-server';
import { dkimVerify } from 'mailauth';
import { Resolver } from 'node:dns/promises';

/**
 * Verifies a message's DKIM signatures as a receiver would, with mailauth,
 * reading keys from the test's DNS server on loopback. Returns each
 * signature's result and the header fields it covers (`h=`, lower case).
 */
export async function verifyDkim(
  raw: string | Buffer,
  dns: DnsTestServer,
): Promise<
  Array<{ domain: string; selector?: string; result: string; signed: string[] }>
> {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([dns.address]);
  const verified = await dkimVerify(raw, {
    resolver: (name, type) =>
      resolver.resolve(name, type as 'TXT') as Promise<string[][]>,
  });
  return verified.results.map(r => ({
    domain: r.signingDomain,
    selector: r.selector,
    result: r.status.result,
    signed: signedFields(raw),
  }));
}

/** The `h=` of the message's first DKIM-Signature, lower case. */
export function signedFields(raw: string | Buffer): string[] {
  const text = raw.toString();
  const header = /^DKIM-Signature:((?:.*)(?:\r?\n[ \t].*)*)/m.exec(text)?.[1];
  const h = header?.replace(/\r?\n[ \t]/g, '').match(/\bh=([^;]*)/)?.[1];
  return (h ?? '')
    .split(':')
    .map(field => field.trim().toLowerCase())
    .filter(Boolean);
}
