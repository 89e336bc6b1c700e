import { SmtpServerSettings } from './SmtpServerSettings';

/**
 * Whose mail service a server is, where its rules differ from everyone's:
 * Microsoft (Exchange Online, Outlook.com, Graph) or Google (Gmail, Google
 * Workspace); `other` for every other server.
 */
export type MailProvider = 'microsoft' | 'google' | 'other';

/** Host names of Microsoft's mail services, and the suffixes of their servers. */
const MICROSOFT_HOSTS =
  /(^|\.)(office365\.com|outlook\.com|hotmail\.com|live\.com)$/;
/** Host names of Google's mail services. */
const GOOGLE_HOSTS = /(^|\.)(gmail\.com|googlemail\.com|google\.com)$/;

/** Whose service a server is, by its host name (Graph is always Microsoft). */
export function providerOfServer(
  server: Pick<SmtpServerSettings, 'host' | 'transport'>,
): MailProvider {
  if (server.transport === 'microsoft-graph') return 'microsoft';
  const host = server.host.toLowerCase().replace(/\.$/, '');
  if (MICROSOFT_HOSTS.test(host)) return 'microsoft';
  if (GOOGLE_HOSTS.test(host)) return 'google';
  return 'other';
}

/**
 * Whose server wrote a reply, by the marks Google and Microsoft leave at
 * its end: Gmail ends every reply with `- gsmtp`, Exchange Online names
 * the answering server in brackets (`[AM0PR… .prod.outlook.com …]`). Only
 * the last line's tail is read, so an address quoted earlier in the reply
 * cannot pass for one.
 */
export function providerOfReply(response: string | undefined): MailProvider {
  const lines = (response ?? '').trim().split(/\r?\n/);
  const last = lines[lines.length - 1] ?? '';
  if (/\s-?\s*gsmtp$/i.test(last)) return 'google';
  if (/\[[^\]]*\.outlook\.com\b[^\]]*\]$/i.test(last)) return 'microsoft';
  return 'other';
}

/**
 * Who answered: the server the mail went through when it is a known one,
 * else what the reply says of itself (e.g. a relay that passes on Gmail's
 * refusal).
 */
export function providerOf(
  server: Pick<SmtpServerSettings, 'host' | 'transport'> | undefined,
  response: string | undefined,
): MailProvider {
  const byServer = server ? providerOfServer(server) : 'other';
  return byServer !== 'other' ? byServer : providerOfReply(response);
}
