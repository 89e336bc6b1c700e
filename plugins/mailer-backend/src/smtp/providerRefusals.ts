import { ConnectionTestOutcome } from '@elixeum/plugin-mailer-common';
import { enhancedStatusOf } from './enhancedStatus';
import { MailProvider } from './mailProvider';

/** A receiver's refusal of the sender, explained: what it means and how to fix it. */
export interface ProviderRefusal {
  outcome: Extract<
    ConnectionTestOutcome,
    'sender-not-authenticated' | 'rate-limited' | 'tls-failure'
  >;
  message: string;
  advice: string;
}

const SENDER_CHECK =
  'The sender check in the notification settings card ("Check sender") reads these records and shows the exact record to publish.';

type Rule = {
  /** Whose meaning of the code this is; absent: the code means it whoever sends it. */
  provider?: MailProvider;
  /** Not when this provider answered: it means something else there. */
  notProvider?: MailProvider;
  explain: (code: string) => ProviderRefusal;
};

/**
 * Codes of Gmail, Yahoo and Outlook.com's sender requirements, by enhanced
 * status code. Several are Gmail's own (RFC 3463's registry gives X.7.27
 * to a null MX, X.7.29 to ARC and X.7.30 to REQUIRETLS; Exchange Online
 * answers 5.7.30 when basic authentication is off), so those count only
 * when Google answered.
 */
const RULES: Record<string, Rule> = {
  '5.7.26': {
    explain: code => ({
      outcome: 'sender-not-authenticated',
      message: `The receiver refused the mail: the sender is not authenticated, neither SPF nor DKIM passed for its domain, or its DMARC policy refused it (${code}).`,
      advice: `Publish SPF, DKIM and DMARC for the From domain and make one of SPF or DKIM align with it. ${SENDER_CHECK}`,
    }),
  },
  '7.27': {
    provider: 'google',
    explain: code => ({
      outcome: 'sender-not-authenticated',
      message: `Gmail refused the mail: SPF did not pass for the sender's domain (${code}).`,
      advice: `The From domain's SPF record must list the servers that send its mail (include your provider's SPF, e.g. include:spf.protection.outlook.com or include:_spf.google.com) and stay within 10 DNS lookups. ${SENDER_CHECK}`,
    }),
  },
  '7.30': {
    provider: 'google',
    explain: code => ({
      outcome: 'sender-not-authenticated',
      message: `Gmail refused the mail: DKIM did not pass for the sender's domain (${code}).`,
      advice: `Turn on DKIM signing for the From domain at your mail provider and publish its key at <selector>._domainkey.<domain>. ${SENDER_CHECK}`,
    }),
  },
  '4.7.32': {
    provider: 'google',
    explain: code => ({
      outcome: 'sender-not-authenticated',
      message: `Gmail refused the mail: the From domain is not aligned with the domain that SPF or DKIM authenticated (${code}).`,
      advice: `Send from a domain that signs its own mail with DKIM (d= the From domain) or whose SPF covers the envelope sender. ${SENDER_CHECK}`,
    }),
  },
  '7.40': {
    provider: 'google',
    explain: code => ({
      outcome: 'sender-not-authenticated',
      message: `Gmail refused the mail: the sender's domain has no DMARC policy (${code}).`,
      advice: `Publish a DMARC record, at least TXT _dmarc.<domain> "v=DMARC1; p=none". ${SENDER_CHECK}`,
    }),
  },
  '7.28': {
    explain: code => ({
      outcome: 'rate-limited',
      message: `The receiver is limiting mail from this sender: too much mail at once, or the same message (the same Message-ID) sent too often (${code}).`,
      advice:
        'Delivery tries again later by itself. Lower SMTP.RateLimit, spread mailings out, and send each message once; a sender that is not authenticated gets lower limits, so check SPF, DKIM and DMARC too.',
    }),
  },
  '7.29': {
    provider: 'google',
    explain: code => ({
      outcome: 'tls-failure',
      message: `Gmail refused the mail because it was not sent over TLS (${code}).`,
      advice:
        'Use SMTP.Security starttls (port 587) or tls (port 465), and a relay that passes mail on over TLS.',
    }),
  },
  '5.7.515': {
    notProvider: 'google',
    explain: code => ({
      outcome: 'sender-not-authenticated',
      message: `Outlook.com refused the mail: the sending domain does not meet its required authentication level, SPF, DKIM and DMARC (${code}).`,
      advice: `Outlook.com, Hotmail and Live take mail from high-volume senders only with SPF and DKIM passing and DMARC at least p=none, aligned with the From domain. ${SENDER_CHECK}`,
    }),
  },
};

/**
 * Explains a receiver's refusal of the sender (Gmail, Yahoo and
 * Outlook.com's requirements), decided by the reply's enhanced status code
 * at its fixed place and by who answered when codes mean different things
 * to different providers; never by the reply's text. Undefined for any
 * other reply.
 */
export function explainProviderRefusal(
  reply: { responseCode?: number; response?: string },
  provider: MailProvider,
): ProviderRefusal | undefined {
  const status = enhancedStatusOf(reply.response);
  if (!status) return undefined;
  // A rule names the whole code, or its subject and detail for both classes.
  const rule = RULES[status] ?? RULES[status.slice(2)];
  if (!rule) return undefined;
  if (rule.provider && rule.provider !== provider) return undefined;
  if (rule.notProvider === provider) return undefined;
  const code = reply.responseCode ? `${reply.responseCode} ${status}` : status;
  return rule.explain(code);
}
