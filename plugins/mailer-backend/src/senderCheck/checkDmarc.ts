import { SenderCheckItem } from '@elixeum/plugin-mailer-common';
import { dmarc } from 'mailauth/lib/dmarc';
import { getAlignment } from 'mailauth/lib/tools';
import { DnsSession } from './senderDns';

const POLICIES = ['none', 'quarantine', 'reject'];

/** The DMARC record as far as alignment needs it. */
export interface DmarcFinding {
  item: SenderCheckItem;
  /** Whether the record asks for strict alignment (`adkim=s`, `aspf=s`); relaxed otherwise. */
  strict: { dkim: boolean; spf: boolean };
}

const mode = (strict: boolean) => (strict ? 'strict' : 'relaxed');

/**
 * The From domain's DMARC record, found as receivers find it (mailauth:
 * `_dmarc.<domain>`, else its organizational domain's): it exists with a
 * valid `p=`; `p=none` passes with a note; the alignment modes are shown.
 */
export async function checkDmarc(
  domain: string,
  dns: DnsSession,
): Promise<DmarcFinding> {
  const found = await dmarc({ headerFrom: domain, resolver: dns.lookup });
  const relaxed = { dkim: false, spf: false };
  if (!found || found.status.result === 'temperror') {
    return {
      item: {
        check: 'dmarc',
        status: 'unchecked',
        message: `Could not read the DMARC record of ${domain}: the DNS did not answer.`,
        advice: 'Try again in a minute.',
      },
      strict: relaxed,
    };
  }
  const name = `_dmarc.${found.domain}`;
  if (found.status.result === 'none' || !found.rr) {
    return {
      item: {
        check: 'dmarc',
        status: 'fail',
        message: dns.notFound(domain)
          ? `The domain ${domain} does not exist in DNS.`
          : `${domain} has no DMARC record (looked for _dmarc.${domain}${found.domain !== domain ? ` and ${name}` : ''}): Gmail, Yahoo and Outlook.com require one of bulk senders.`,
        advice: `Publish the TXT record ${name}: v=DMARC1; p=none (add rua=mailto:<a mailbox that reads the reports> to learn who sends as you; move to p=quarantine once they show only your own mail).`,
        record: { name, type: 'TXT', value: 'v=DMARC1; p=none' },
      },
      strict: relaxed,
    };
  }
  const strict = {
    dkim: found.alignment?.dkim?.strict === true,
    spf: found.alignment?.spf?.strict === true,
  };
  const policy = String(found.policy ?? '').toLowerCase();
  const modes = `DKIM alignment ${mode(strict.dkim)}, SPF alignment ${mode(strict.spf)}`;
  if (!POLICIES.includes(policy)) {
    return {
      item: {
        check: 'dmarc',
        status: 'fail',
        message: `The DMARC record ${name} has no valid policy (p=${found.p ?? ''}); receivers ignore it.`,
        advice: `Set p= to none, quarantine or reject in ${name}, e.g. v=DMARC1; p=none`,
        record: { name, type: 'TXT', value: 'v=DMARC1; p=none' },
      },
      strict,
    };
  }
  const pct =
    typeof found.pct === 'number' && found.pct < 100 ? found.pct : undefined;
  const notes = [
    policy === 'none'
      ? 'p=none only asks for reports: receivers do not act on failing mail. Move to p=quarantine once the reports show only your own mail.'
      : undefined,
    pct !== undefined
      ? `pct=${pct} applies the policy to ${pct}% of failing mail only.`
      : undefined,
    /\brua=/i.test(found.rr)
      ? undefined
      : 'Add rua=mailto:<a mailbox> to receive the aggregate reports.',
  ].filter((n): n is string => n !== undefined);
  return {
    item: {
      check: 'dmarc',
      status: 'pass',
      message: `DMARC p=${policy} at ${name} (${modes}).`,
      ...(notes.length > 0 && { advice: notes.join(' ') }),
    },
    strict,
  };
}

/** Whether `other` aligns with the From domain, as DMARC's mode for it says. */
export function aligns(from: string, other: string, strict: boolean): boolean {
  const a = from.toLowerCase();
  const b = other.toLowerCase();
  if (strict) return a === b;
  return a === b || getAlignment(a, [b]) !== false;
}

/**
 * Alignment: the From domain matches the domain DKIM signs for (`d=`) or
 * the envelope sender's domain that SPF authenticates.
 */
export function checkAlignment(
  from: string,
  evidence: {
    /** The `d=` domain of a signature receivers can verify, if known. */
    dkimDomain?: string;
    /** The envelope sender's domain, when SPF passes for the sending servers. */
    spfDomain?: string;
    /** Whether DKIM or SPF could not be checked at all. */
    unknown: boolean;
    strict: { dkim: boolean; spf: boolean };
  },
): SenderCheckItem {
  const { dkimDomain, spfDomain, strict } = evidence;
  const byDkim =
    dkimDomain !== undefined && aligns(from, dkimDomain, strict.dkim);
  const bySpf = spfDomain !== undefined && aligns(from, spfDomain, strict.spf);
  if (byDkim || bySpf) {
    const how = [
      byDkim ? `DKIM (d=${dkimDomain})` : undefined,
      bySpf ? `SPF (envelope ${spfDomain})` : undefined,
    ].filter(Boolean);
    return {
      check: 'alignment',
      status: 'pass',
      message: `${from} aligns with ${how.join(' and ')}.`,
      ...(!byDkim && {
        advice:
          'Only SPF aligns: mail that is forwarded loses it. Sign with DKIM for the From domain too.',
      }),
    };
  }
  if (evidence.unknown) {
    return {
      check: 'alignment',
      status: 'unchecked',
      message: `Whether ${from} aligns with the DKIM or SPF domain could not be checked.`,
      advice:
        'It needs a DKIM signature for the From domain, or SPF passing for it.',
    };
  }
  return {
    check: 'alignment',
    status: 'fail',
    message: `Neither DKIM nor SPF authenticates ${from} itself, so DMARC fails even where both pass for other domains.`,
    advice: `Sign with DKIM for ${from} (d=${from}) and make its SPF list the sending servers.`,
  };
}
