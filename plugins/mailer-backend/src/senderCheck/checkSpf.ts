import { SenderCheckItem } from '@elixeum/plugin-mailer-common';
import { spf } from 'mailauth/lib/spf';
import { MailProvider } from '../smtp/mailProvider';
import { DnsSession } from './senderDns';
import { recordsOf } from './providerRecords';

/**
 * TEST-NET-1 (RFC 5737): no SPF record lists it, so evaluating a record
 * for it walks every mechanism and counts every lookup a receiver may make.
 */
const PROBE_IP = '192.0.2.1';
const MAX_LOOKUPS = 10;
const ALL = /^[-~?+]?all$/i;

/** What the SPF check found, and whether the From domain's SPF covers the sending servers. */
export interface SpfFinding {
  item: SenderCheckItem;
  /** True when SPF passes for the provider's servers; undefined when unknown. */
  authorizes?: boolean;
}

const fail = (
  message: string,
  advice?: string,
  value?: string,
  domain?: string,
): SpfFinding => ({
  item: {
    check: 'spf',
    status: 'fail',
    message,
    ...(advice && { advice }),
    ...(value && domain && { record: { name: domain, type: 'TXT', value } }),
  },
  authorizes: false,
});

/** The record with `include:` put before its `all` (or redirect), as a person would edit it. */
function withInclude(record: string, include: string): string {
  const terms = record.trim().split(/\s+/);
  const at = terms.findIndex(t => ALL.test(t) || /^redirect=/i.test(t));
  terms.splice(at < 0 ? terms.length : at, 0, `include:${include}`);
  return terms.join(' ');
}

/** Several SPF records as one: their mechanisms in order, once each, and the strictest `all`. */
function merged(records: string[]): string | undefined {
  const terms: string[] = [];
  let all = '~all';
  for (const record of records) {
    for (const term of record.trim().split(/\s+/).slice(1)) {
      if (/^redirect=/i.test(term)) return undefined;
      if (ALL.test(term)) {
        if (term.toLowerCase() === '-all') all = '-all';
      } else if (!terms.some(t => t.toLowerCase() === term.toLowerCase())) {
        terms.push(term);
      }
    }
  }
  return ['v=spf1', ...terms, all].join(' ');
}

/**
 * The From domain's SPF, evaluated by mailauth as receivers do: one record,
 * it parses, it ends in `~all` or `-all`, it stays within 10 lookups, and
 * for Exchange Online and Google Workspace it includes theirs.
 */
export async function checkSpf(
  domain: string,
  server: { provider: MailProvider; host: string },
  dns: DnsSession,
): Promise<SpfFinding> {
  const provider = recordsOf(server.provider);
  const result = await spf({
    sender: `postmaster@${domain}`,
    ip: PROBE_IP,
    helo: domain,
    mta: 'sender-check',
    resolver: dns.lookup,
  });
  const comment = result.status.comment ?? '';
  const record = result.rr;
  const lookups = result.lookups?.count ?? 0;
  const suggested = provider
    ? `v=spf1 include:${provider.spfInclude} ${provider.spfAll}`
    : undefined;

  switch (result.status.result) {
    case 'temperror':
      return {
        item: {
          check: 'spf',
          status: 'unchecked',
          message: `Could not read the SPF record of ${domain}: the DNS did not answer.`,
          advice:
            'Try again in a minute; if it persists, check the DNS servers of the domain.',
        },
      };
    case 'none':
      if (dns.notFound(domain)) {
        return fail(
          `The domain ${domain} does not exist in DNS: receivers refuse mail from it.`,
          'Set SMTP.From to an address at a domain you own and publish its records.',
        );
      }
      return fail(
        `${domain} has no SPF record: receivers cannot tell which servers may send its mail.`,
        suggested
          ? `Publish one TXT record at ${domain}: ${suggested}`
          : `Publish one TXT record at ${domain}, e.g. v=spf1 include:<your provider's SPF domain> ~all (your provider names it).`,
        suggested,
        domain,
      );
    case 'permerror':
      return permanentError(domain, comment, lookups, dns);
    case 'pass': {
      // Evaluated for an address no record lists: something lets everyone pass.
      const fixed =
        record && /\s\+?all$/i.test(record)
          ? record.replace(/\+?all$/i, '~all')
          : undefined;
      return fail(
        `The SPF record of ${domain} lets every server on the internet send as it.`,
        fixed
          ? `End it in ~all or -all instead: ${fixed}`
          : 'Remove the term that matches every address (+all, or a range such as ip4:0.0.0.0/0).',
        fixed,
        domain,
      );
    }
    case 'neutral':
      return {
        item: {
          check: 'spf',
          status: 'warn',
          message: `The SPF record of ${domain} ends in ?all or no "all": it says nothing about other servers, so forged mail passes as neutral.`,
          advice: `End it in ~all or -all: ${(record ?? '').replace(/\s*\?all$/i, '')} ~all`,
          record: {
            name: domain,
            type: 'TXT',
            value: `${(record ?? '').replace(/\s*\?all$/i, '')} ~all`,
          },
        },
      };
    default:
      break;
  }
  const ending = result.status.result === 'fail' ? '-all' : '~all';
  const within = `${lookups} of ${MAX_LOOKUPS} DNS lookups`;
  if (!provider) {
    return {
      item: {
        check: 'spf',
        status: 'pass',
        message: `One SPF record, ending in ${ending}, ${within}.`,
        advice: `Whether it lists the servers of ${server.host} could not be checked: it should include your provider's SPF (ask the provider which include: to add).`,
      },
    };
  }
  if (!dns.txtNames.has(provider.spfInclude)) {
    const value = record
      ? withInclude(record, provider.spfInclude)
      : suggested!;
    return fail(
      `The SPF record of ${domain} does not include ${provider.name} (include:${provider.spfInclude}): its mail fails SPF.`,
      `Replace it with: ${value}`,
      value,
      domain,
    );
  }
  return {
    item: {
      check: 'spf',
      status: 'pass',
      message: `One SPF record, ending in ${ending}, including ${provider.name}; ${within}.`,
    },
    authorizes: true,
  };
}

/** An SPF record receivers cannot use: which mistake, and the fix. */
async function permanentError(
  domain: string,
  comment: string,
  lookups: number,
  dns: DnsSession,
): Promise<SpfFinding> {
  if (/multiple SPF records/i.test(comment)) {
    const rows: string[][] = await dns.lookup(domain, 'TXT').catch(() => []);
    const records = rows
      .map(row => row.join(''))
      .filter(row => /^v=spf1(\s|$)/i.test(row.trim()));
    const one = merged(records);
    return fail(
      `${domain} has ${records.length} SPF records; receivers treat that as an error and SPF fails.`,
      one
        ? `Replace them with one record: ${one}`
        : 'Merge them into one record that ends in ~all or -all.',
      one,
      domain,
    );
  }
  if (/too many DNS requests/i.test(comment)) {
    return fail(
      `The SPF record of ${domain} needs more than ${MAX_LOOKUPS} DNS lookups (include, a, mx, exists, redirect); receivers stop there and SPF fails.`,
      'Remove includes of services that no longer send for the domain, or replace some with their ip4:/ip6: ranges.',
    );
  }
  if (/too many void/i.test(comment)) {
    return fail(
      `The SPF record of ${domain} looks up names that do not exist more than twice; receivers treat that as an error.`,
      'Remove the include:, a: or mx: terms that point to names without records.',
    );
  }
  const reason = comment.split(': ').slice(2).join(': ') || 'it does not parse';
  return fail(
    `The SPF record of ${domain} cannot be used: ${reason} (${lookups} lookups so far).`,
    'Correct the record: v=spf1, then mechanisms such as include:, ip4:, a, mx, then ~all or -all.',
  );
}
