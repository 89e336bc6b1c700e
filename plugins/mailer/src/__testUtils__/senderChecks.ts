import {
  SenderCheckItem,
  SenderCheckResult,
} from '@elixeum/plugin-mailer-common';

/** Every check passing for portal@example.com, but those given. */
export function senderCheckResult(
  changes: Partial<
    Record<SenderCheckItem['check'], Partial<SenderCheckItem>>
  > = {},
  sender = 'portal@example.com',
): SenderCheckResult {
  const domain = sender.split('@')[1];
  const passing: SenderCheckItem[] = [
    {
      check: 'sender',
      status: 'pass',
      message: `${sender} is the mailbox the server logs in with.`,
    },
    {
      check: 'spf',
      status: 'pass',
      message:
        'One SPF record, ending in -all, including Exchange Online; 1 of 10 DNS lookups.',
    },
    {
      check: 'dkim',
      status: 'pass',
      message: `selector1 and selector2 of ${domain} point to Exchange Online and a key is published (d=${domain}).`,
    },
    {
      check: 'dmarc',
      status: 'pass',
      message: `DMARC p=reject at _dmarc.${domain} (DKIM alignment relaxed, SPF alignment relaxed).`,
    },
    {
      check: 'alignment',
      status: 'pass',
      message: `${domain} aligns with DKIM (d=${domain}) and SPF (envelope ${domain}).`,
    },
  ];
  return {
    sender,
    domain,
    server: 'custom',
    checkedAt: '2025-03-04T09:45:00.000Z',
    checks: passing.map(item => ({ ...item, ...changes[item.check] })),
  };
}
