import { SenderCheckItem } from '@elixeum/plugin-mailer-common';
import { getPublicKey } from 'mailauth/lib/tools';
import { createPublicKey, KeyObject } from 'node:crypto';
import { MailProvider } from '../smtp/mailProvider';
import { dnsCodeOf, DnsSession, isDnsFailure } from './senderDns';

/**
 * A DKIM key the portal signs with for the tenant (`SMTP.DKIM.Domain`,
 * `SMTP.DKIM.Selector` and the key): its record must be in DNS as it is.
 */
export interface DkimKeyToCheck {
  /** The `d=` domain it signs for. */
  domain: string;
  selector: string;
  /** The key in PEM (public, or private: only its public half is used), or the base64 of a `p=` value. */
  key: string;
}

/** What the DKIM check found, and the domain whose signature receivers can verify. */
export interface DkimFinding {
  item: SenderCheckItem;
  /** The `d=` domain of a signature that verifies; undefined when there is none or it is unknown. */
  signingDomain?: string;
}

/** mailauth's codes for a record that is there but is no usable key. */
const NOT_A_KEY: Record<string, string> = {
  EINVALIDVAL: 'holds no valid key (p=)',
  EINVALIDVER: 'is not a DKIM1 record',
  EINVALIDTYPE: 'holds a key of an unknown type',
  ESHORTKEY: 'holds an RSA key shorter than 1024 bits, which receivers refuse',
};

const EXCHANGE_TARGET = /\.(onmicrosoft\.com|dkim\.mail\.microsoft)$/i;

const unchecked = (message: string, advice: string): DkimFinding => ({
  item: { check: 'dkim', status: 'unchecked', message, advice },
});

function keyObject(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return createPublicKey(trimmed);
  return createPublicKey({
    key: Buffer.from(trimmed.replace(/\s+/g, ''), 'base64'),
    format: 'der',
    type: 'spki',
  });
}

/** The TXT record a key is published as. */
export function dkimRecordOf(key: KeyObject): string {
  if (key.asymmetricKeyType === 'ed25519') {
    // RFC 8463: the bare 32-byte key, not its SPKI wrapping.
    const der = key.export({ type: 'spki', format: 'der' });
    return `v=DKIM1; k=ed25519; p=${der.subarray(der.length - 32).toString('base64')}`;
  }
  const der = key.export({ type: 'spki', format: 'der' });
  return `v=DKIM1; k=rsa; p=${der.toString('base64')}`;
}

/** What is published at a selector: a key, a record that is no key, nothing, or no answer. */
type PublishedKey =
  | { kind: 'key'; key: KeyObject; bits?: number }
  | { kind: 'not-a-key'; problem: string }
  | { kind: 'missing' }
  | { kind: 'dns-failed' };

async function publishedKey(
  name: string,
  dns: DnsSession,
): Promise<PublishedKey> {
  try {
    const found = await getPublicKey('DKIM', name, 1024, dns.lookup);
    return {
      kind: 'key',
      key: createPublicKey(found.publicKey),
      bits: found.modulusLength,
    };
  } catch (error) {
    const code = dnsCodeOf(error) ?? '';
    if (NOT_A_KEY[code]) return { kind: 'not-a-key', problem: NOT_A_KEY[code] };
    if (isDnsFailure(error)) return { kind: 'dns-failed' };
    return { kind: 'missing' };
  }
}

/**
 * Whether receivers can verify the From domain's DKIM signatures: the
 * portal's own key when it has one; else the selectors Exchange Online
 * (`selector1`/`selector2` CNAMEs) and Google Workspace (`google`) use;
 * else it cannot be known which selector a server signs with.
 */
export async function checkDkim(
  domain: string,
  server: { provider: MailProvider; host: string },
  dns: DnsSession,
  ownKey?: DkimKeyToCheck,
): Promise<DkimFinding> {
  if (ownKey) return checkOwnKey(ownKey, dns);
  if (server.provider === 'microsoft') return checkExchange(domain, dns);
  if (server.provider === 'google') return checkGoogle(domain, dns);
  return unchecked(
    `Which DKIM selector ${server.host} signs with is not known to the portal, so DKIM was not checked.`,
    `Turn on DKIM signing for ${domain} at your mail provider and publish the record it gives you at <selector>._domainkey.${domain}; a test email shows the selector in its DKIM-Signature header (s=…; d=${domain}).`,
  );
}

async function checkOwnKey(
  own: DkimKeyToCheck,
  dns: DnsSession,
): Promise<DkimFinding> {
  const name = `${own.selector}._domainkey.${own.domain}`;
  const expected = keyObject(own.key);
  const value = dkimRecordOf(expected);
  const record = { name, type: 'TXT' as const, value };
  const found = await publishedKey(name, dns);
  if (found.kind === 'dns-failed') {
    return unchecked(
      `Could not read the DKIM record ${name}: the DNS did not answer.`,
      'Try again in a minute.',
    );
  }
  if (found.kind === 'key') {
    const same = found.key
      .export({ type: 'spki', format: 'der' })
      .equals(expected.export({ type: 'spki', format: 'der' }));
    if (same) {
      const bits = found.bits ? `${found.bits}-bit ` : '';
      return {
        item: {
          check: 'dkim',
          status: 'pass',
          message: `The DKIM record ${name} holds the ${bits}key the portal signs with (d=${own.domain}).`,
        },
        signingDomain: own.domain,
      };
    }
    return {
      item: {
        check: 'dkim',
        status: 'fail',
        message: `The DKIM record ${name} holds another key than the one the portal signs with: receivers cannot verify its signatures.`,
        advice: `Replace the TXT record ${name} with: ${value}`,
        record,
      },
    };
  }
  return {
    item: {
      check: 'dkim',
      status: 'fail',
      message:
        found.kind === 'not-a-key'
          ? `The DKIM record ${name} ${found.problem}.`
          : `There is no DKIM record at ${name}: receivers cannot verify the portal's signatures.`,
      advice: `Publish the TXT record ${name}: ${value}`,
      record,
    },
  };
}

async function checkExchange(
  domain: string,
  dns: DnsSession,
): Promise<DkimFinding> {
  const names = ['selector1', 'selector2'].map(
    s => `${s}._domainkey.${domain}`,
  );
  const targets = await Promise.all(
    names.map(name =>
      dns.lookup(name, 'CNAME').then(
        (answer): string | Error => String(answer[0] ?? ''),
        (error): string | Error =>
          isDnsFailure(error) ? (error as Error) : '',
      ),
    ),
  );
  if (targets.some(t => t instanceof Error)) {
    return unchecked(
      `Could not read the DKIM records of ${domain}: the DNS did not answer.`,
      'Try again in a minute.',
    );
  }
  const setUp =
    'Microsoft Defender portal → Email & collaboration → Policies & rules → Threat policies → Email authentication settings → DKIM';
  if (targets.some(t => t === '')) {
    return {
      item: {
        check: 'dkim',
        status: 'fail',
        message: `Exchange Online's DKIM records for ${domain} are missing: CNAME ${names
          .filter((_, i) => targets[i] === '')
          .join(
            ' and ',
          )}. Its mail is signed for the onmicrosoft.com domain only, which does not align.`,
        advice: `Publish the two CNAME records ${names.join(' and ')} with the values shown in ${setUp} for ${domain} (they point to …onmicrosoft.com), then turn on signing there.`,
      },
    };
  }
  if (!targets.every(t => EXCHANGE_TARGET.test(String(t)))) {
    return {
      item: {
        check: 'dkim',
        status: 'fail',
        message: `The DKIM CNAMEs of ${domain} point to ${targets.join(' and ')}, not to Exchange Online.`,
        advice: `Point them to the values shown in ${setUp} for ${domain}.`,
      },
    };
  }
  // Exchange publishes the key of one selector at a time (the other waits for rotation).
  const keys = await Promise.all(names.map(name => publishedKey(name, dns)));
  if (keys.some(k => k.kind === 'key')) {
    return {
      item: {
        check: 'dkim',
        status: 'pass',
        message: `selector1 and selector2 of ${domain} point to Exchange Online and a key is published (d=${domain}).`,
        advice: `If mail is still signed for onmicrosoft.com, turn on signing for ${domain} in ${setUp}.`,
      },
      signingDomain: domain,
    };
  }
  if (keys.some(k => k.kind === 'dns-failed')) {
    return unchecked(
      `Could not read the DKIM keys behind ${names[0]}: the DNS did not answer.`,
      'Try again in a minute.',
    );
  }
  return {
    item: {
      check: 'dkim',
      status: 'fail',
      message: `selector1 and selector2 of ${domain} point to Exchange Online, but it publishes no key there yet: DKIM signing is off for ${domain}.`,
      advice: `Turn on signing for ${domain} in ${setUp}.`,
    },
  };
}

async function checkGoogle(
  domain: string,
  dns: DnsSession,
): Promise<DkimFinding> {
  const name = `google._domainkey.${domain}`;
  const found = await publishedKey(name, dns);
  if (found.kind === 'dns-failed') {
    return unchecked(
      `Could not read the DKIM record ${name}: the DNS did not answer.`,
      'Try again in a minute.',
    );
  }
  if (found.kind === 'key') {
    const bits = found.bits ? `${found.bits}-bit ` : '';
    return {
      item: {
        check: 'dkim',
        status: 'pass',
        message: `Google Workspace's DKIM record ${name} holds a ${bits}key (d=${domain}).`,
        advice: `If it was just published, press "Start authentication" for ${domain} in the Google Admin console.`,
      },
      signingDomain: domain,
    };
  }
  return {
    item: {
      check: 'dkim',
      status: 'fail',
      message:
        found.kind === 'not-a-key'
          ? `The DKIM record ${name} ${found.problem}.`
          : `There is no DKIM record at ${name}, the selector Google Workspace uses unless another was chosen: its mail is signed for gappssmtp.com only, which does not align.`,
      advice: `In the Google Admin console → Apps → Google Workspace → Gmail → Authenticate email, generate a 2048-bit key for ${domain}, publish the TXT record ${name} it shows, then press "Start authentication".`,
    },
  };
}
