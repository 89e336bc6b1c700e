import { DnsTestZone } from '@internal/smtp-test-server';
import { generateKeyPairSync, KeyObject } from 'node:crypto';

/** A DKIM key pair for the test zone; the public half is what DNS publishes. */
export function dkimKeyPair(): { publicKey: KeyObject; publicPem: string } {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The TXT value of a DKIM key record. */
export function dkimTxt(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return `v=DKIM1; k=rsa; p=${der.toString('base64')}`;
}

/** An SPF record of a provider, as receivers find it: addresses no test sends from. */
const PROVIDER_SPF = 'v=spf1 ip4:198.51.100.0/24 -all';

/** Exchange Online's DKIM CNAMEs for a domain, and the key behind selector1. */
function exchangeDkim(domain: string, key: KeyObject): DnsTestZone {
  const label = domain.replace(/\./g, '-');
  const target = (s: string) =>
    `${s}-${label}._domainkey.contoso.onmicrosoft.com`;
  return {
    [`selector1._domainkey.${domain}`]: { CNAME: target('selector1') },
    [`selector2._domainkey.${domain}`]: { CNAME: target('selector2') },
    [target('selector1')]: { TXT: [dkimTxt(key)] },
  };
}

/**
 * The sender check's test DNS: one domain per outcome the issue lists.
 * - `compliant.test`: SPF ~all including Exchange Online, its DKIM CNAMEs
 *   with a key, DMARC p=reject; also the portal's own key at `portal._domainkey`.
 * - `nodmarc.test`: as compliant, without DMARC.
 * - `twospf.test`: two SPF records.
 * - `manylookups.test`: SPF with 11 includes.
 * - `mismatch.test`: the portal's selector holds another key.
 * - `slow.test`: never answered (a DNS that times out).
 * - anything else, e.g. `missing.test`: NXDOMAIN.
 */
export function senderDnsZone(keys: {
  /** The key Exchange Online publishes for the domains it signs. */
  exchange: KeyObject;
  /** The portal's own signing key. */
  portal: KeyObject;
  /** Some other key. */
  other: KeyObject;
}): DnsTestZone {
  const lookups = Array.from(
    { length: 11 },
    (_, i) => `l${i + 1}.manylookups.test`,
  );
  return {
    'spf.protection.outlook.com': { TXT: [PROVIDER_SPF] },
    '_spf.google.com': { TXT: [PROVIDER_SPF] },

    'compliant.test': {
      TXT: [
        'google-site-verification=abc123',
        'v=spf1 include:spf.protection.outlook.com ~all',
      ],
    },
    '_dmarc.compliant.test': {
      TXT: ['v=DMARC1; p=reject; adkim=s; rua=mailto:dmarc@compliant.test'],
    },
    ...exchangeDkim('compliant.test', keys.exchange),
    'portal._domainkey.compliant.test': { TXT: [dkimTxt(keys.portal)] },

    'nodmarc.test': {
      TXT: ['v=spf1 include:spf.protection.outlook.com -all'],
    },
    ...exchangeDkim('nodmarc.test', keys.exchange),

    'nonepolicy.test': {
      TXT: ['v=spf1 include:spf.protection.outlook.com ~all'],
    },
    '_dmarc.nonepolicy.test': { TXT: ['v=DMARC1; p=none'] },
    ...exchangeDkim('nonepolicy.test', keys.exchange),

    'twospf.test': {
      TXT: [
        'v=spf1 include:spf.protection.outlook.com ~all',
        'v=spf1 ip4:203.0.113.7 -all',
      ],
    },
    '_dmarc.twospf.test': { TXT: ['v=DMARC1; p=quarantine'] },

    'manylookups.test': {
      TXT: [`v=spf1 ${lookups.map(l => `include:${l}`).join(' ')} ~all`],
    },
    ...Object.fromEntries(lookups.map(l => [l, { TXT: [PROVIDER_SPF] }])),
    '_dmarc.manylookups.test': { TXT: ['v=DMARC1; p=reject'] },

    'googleonly.test': { TXT: ['v=spf1 include:_spf.google.com ~all'] },
    '_dmarc.googleonly.test': { TXT: ['v=DMARC1; p=reject'] },

    'mismatch.test': {
      TXT: ['v=spf1 include:spf.protection.outlook.com ~all'],
    },
    '_dmarc.mismatch.test': { TXT: ['v=DMARC1; p=reject'] },
    'portal._domainkey.mismatch.test': { TXT: [dkimTxt(keys.other)] },

    'slow.test': 'no-answer',
    '_dmarc.slow.test': 'no-answer',
    'selector1._domainkey.slow.test': 'no-answer',
    'selector2._domainkey.slow.test': 'no-answer',
  };
}
