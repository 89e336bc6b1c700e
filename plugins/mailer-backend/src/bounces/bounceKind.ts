/**
 * What a bounce says about the address: `hard`, it does not exist or takes
 * no mail (suppressed at once); `soft`, its mailbox cannot take mail for
 * now (suppressed for a while once it happens again and again).
 */
export type BounceKind = 'hard' | 'soft';

/**
 * Enhanced status codes (RFC 3463) of a mailbox that is not there for good:
 * bad destination mailbox (x.1.1), system (x.1.2) or address syntax
 * (x.1.3), moved without forwarding (x.1.6), a domain that takes no mail at
 * all (x.1.10, null MX, RFC 7505), and a disabled mailbox (x.2.1).
 */
const HARD = new Set(['5.1.1', '5.1.2', '5.1.3', '5.1.6', '5.1.10', '5.2.1']);

/**
 * Codes of a mailbox that cannot take mail now: full (x.2.2, whichever
 * class the receiver answers it with), disabled for now (4.2.1), or another
 * mailbox status for now (4.2.0).
 */
const SOFT = new Set(['4.2.0', '4.2.1', '4.2.2', '5.2.2']);

/**
 * The kind of bounce an enhanced status code means, or undefined for a
 * refusal that says nothing about the address (a policy, the message's
 * content or size, the network, too many recipients): those never suppress.
 * Decided by the code alone, never the reply's text.
 */
export function bounceKindOf(
  status: string | undefined,
): BounceKind | undefined {
  if (status === undefined) return undefined;
  if (HARD.has(status)) return 'hard';
  if (SOFT.has(status)) return 'soft';
  return undefined;
}
