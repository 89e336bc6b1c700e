/**
 * What one part of the sender check found: `pass`, `warn` (works, but
 * receivers may junk or refuse some mail), `fail`, or `unchecked` (the DNS
 * did not answer, or the portal cannot know: never counted as a pass).
 *
 * @public
 */
export type SenderCheckStatus = 'pass' | 'warn' | 'fail' | 'unchecked';

/**
 * The parts of the sender check: the From domain's SPF, DKIM and DMARC
 * records, whether the From domain aligns with the DKIM or envelope domain,
 * and whether the From address suits the mailbox that sends it.
 *
 * @public
 */
export type SenderCheckName = 'spf' | 'dkim' | 'dmarc' | 'alignment' | 'sender';

/**
 * A DNS record to publish, exactly as it should read.
 *
 * @public
 */
export interface DnsRecordToPublish {
  name: string;
  type: 'TXT' | 'CNAME';
  value: string;
}

/**
 * One line of the sender check.
 *
 * @public
 */
export interface SenderCheckItem {
  check: SenderCheckName;
  status: SenderCheckStatus;
  /** One sentence: what was found. */
  message: string;
  /** What to publish or change; absent when nothing is to be done. */
  advice?: string;
  /** The record to publish, when the portal knows it exactly. */
  record?: DnsRecordToPublish;
}

/**
 * The answer of `POST /sender-check`, and part of a connection test's.
 *
 * @public
 */
export interface SenderCheckResult {
  /** The From address checked. */
  sender: string;
  /** Its domain, whose DNS records were read. */
  domain: string;
  /** Whose server sends it: the tenant's own, or the default mailbox. */
  server: 'custom' | 'default';
  /** When the DNS was read (results are kept a few minutes). */
  checkedAt: string;
  /** One item per check, in the order of `SENDER_CHECK_ORDER`. */
  checks: SenderCheckItem[];
}

/**
 * The body of `POST /sender-check`.
 *
 * @public
 */
export interface SenderCheckRequest {
  /** The settings being edited, as in a connection test; absent: the saved settings. */
  values?: Record<string, string | null>;
  /** Read the DNS again instead of answering from the last few minutes. */
  refresh?: boolean;
}

/**
 * The checks in order of importance: a refused From address stops all mail;
 * then SPF and DKIM, each of which alone can authenticate mail; then DMARC,
 * which builds on them; then alignment, which makes them count for DMARC.
 *
 * @public
 */
export const SENDER_CHECK_ORDER: readonly SenderCheckName[] = [
  'sender',
  'spf',
  'dkim',
  'dmarc',
  'alignment',
];

/**
 * How each check is named to a person.
 *
 * @public
 */
export const SENDER_CHECK_LABELS: Record<SenderCheckName, string> = {
  sender: 'Sender address',
  spf: 'SPF',
  dkim: 'DKIM',
  dmarc: 'DMARC',
  alignment: 'Alignment',
};

/** What stands between a sender and bulk mail, by check and status, in a few words. */
const MISSING: Record<
  SenderCheckName,
  Record<'warn' | 'fail' | 'unchecked', string>
> = {
  sender: {
    fail: 'the mailbox may not send as this address',
    warn: 'the From address needs attention',
    unchecked: 'the From address was not checked',
  },
  spf: {
    fail: 'no valid SPF record',
    warn: 'the SPF record is too lenient',
    unchecked: 'SPF could not be checked',
  },
  dkim: {
    fail: 'no DKIM key that receivers can use',
    warn: 'the DKIM key needs attention',
    unchecked: 'DKIM could not be checked',
  },
  dmarc: {
    fail: 'no valid DMARC record',
    warn: 'the DMARC record needs attention',
    unchecked: 'DMARC could not be checked',
  },
  alignment: {
    fail: 'the From domain is not aligned with DKIM or SPF',
    warn: 'the From domain is not aligned with DKIM or SPF',
    unchecked: 'alignment could not be checked',
  },
};

/**
 * Whether a sender is ready for bulk mail, as Gmail, Yahoo and Outlook.com
 * require it: ready only when SPF, DKIM and DMARC pass and the From domain
 * aligns; otherwise what is missing, most important first.
 *
 * @public
 */
export interface Deliverability {
  ready: boolean;
  /** One line for the card: "Ready for bulk mail" or what is missing. */
  summary: string;
  /** What is missing, most important first; empty when ready. */
  missing: string[];
}

/**
 * The deliverability line of a sender check: the one rule the card and the
 * backend share.
 *
 * @public
 */
export function deliverabilityOf(
  checks: readonly SenderCheckItem[],
): Deliverability {
  const byName = new Map(checks.map(c => [c.check, c]));
  const missing: string[] = [];
  for (const name of SENDER_CHECK_ORDER) {
    const item = byName.get(name);
    // The sender's own line only stops bulk mail when it fails: a warning
    // (e.g. a From address that is not the login) may be allowed to send.
    if (name === 'sender' && item?.status !== 'fail') continue;
    if (!item) {
      missing.push(MISSING[name].unchecked);
    } else if (item.status !== 'pass') {
      missing.push(MISSING[name][item.status]);
    }
  }
  return missing.length === 0
    ? { ready: true, summary: 'Ready for bulk mail', missing }
    : {
        ready: false,
        summary: `Not ready for bulk mail: ${missing.join('; ')}`,
        missing,
      };
}
