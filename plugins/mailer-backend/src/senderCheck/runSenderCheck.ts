import {
  SENDER_CHECK_ORDER,
  SenderCheckItem,
  SenderCheckName,
  SenderCheckResult,
} from '@elixeum/plugin-mailer-common';
import { providerOfServer } from '../smtp/mailProvider';
import { checkDkim, DkimKeyToCheck } from './checkDkim';
import { checkAlignment, checkDmarc } from './checkDmarc';
import { checkSenderAddress } from './checkSenderAddress';
import { checkSpf } from './checkSpf';
import { DnsSession } from './senderDns';

/** The sender a check is about: its From address, and the server and login that send it. */
export interface SenderCheckTarget {
  server: 'custom' | 'default';
  from: string;
  host: string;
  transport?: 'smtp' | 'microsoft-graph';
  /** The user the server logs in as; absent for a relay without login. */
  login?: string;
  /** The tenant's own DKIM key, once the portal signs its mail. */
  dkimKey?: DkimKeyToCheck;
}

/** A check that threw (a bug, or mailauth meeting something new) could not check; it never passes. */
async function safely<T extends { item: SenderCheckItem }>(
  check: SenderCheckName,
  run: () => Promise<T>,
): Promise<T | { item: SenderCheckItem }> {
  try {
    return await run();
  } catch {
    return {
      item: {
        check,
        status: 'unchecked',
        message: 'This check could not be completed.',
        advice: 'Try again in a minute.',
      },
    };
  }
}

/**
 * Reads the From domain's SPF, DKIM and DMARC records through `dns` and
 * says for each check what it found and what to publish or change. Ends
 * the DNS session: one check, one deadline.
 */
export async function runSenderCheck(
  target: SenderCheckTarget,
  dns: DnsSession,
  now: Date = new Date(),
): Promise<SenderCheckResult> {
  const from = target.from;
  const domain = from.slice(from.lastIndexOf('@') + 1).toLowerCase();
  const provider = providerOfServer(target);
  const server = {
    provider,
    host:
      target.transport === 'microsoft-graph' ? 'Microsoft Graph' : target.host,
  };
  try {
    const [spf, dkim, dmarc] = await Promise.all([
      safely('spf', () => checkSpf(domain, server, dns)),
      safely('dkim', () => checkDkim(domain, server, dns, target.dkimKey)),
      safely('dmarc', () => checkDmarc(domain, dns)),
    ]);
    const authorizes = 'authorizes' in spf ? spf.authorizes : undefined;
    const signingDomain =
      'signingDomain' in dkim ? dkim.signingDomain : undefined;
    const alignment = checkAlignment(domain, {
      dkimDomain: signingDomain,
      spfDomain: authorizes ? domain : undefined,
      unknown: dkim.item.status === 'unchecked' || authorizes === undefined,
      strict: 'strict' in dmarc ? dmarc.strict : { dkim: false, spf: false },
    });
    const items: SenderCheckItem[] = [
      checkSenderAddress({ from, login: target.login, ...server }),
      spf.item,
      dkim.item,
      dmarc.item,
      alignment,
    ];
    return {
      sender: from,
      domain,
      server: target.server,
      checkedAt: now.toISOString(),
      checks: SENDER_CHECK_ORDER.map(name =>
        items.find(item => item.check === name)!,
      ),
    };
  } finally {
    dns.end();
  }
}
