import { ConnectionTestResult } from '@elixeum/plugin-mailer-common';
import { readSmtpFailure, SmtpFailure } from './readSmtpFailure';
import { SmtpServerSettings } from './SmtpServerSettings';
import { enhancedStatusOf } from './enhancedStatus';
import { providerOf } from './mailProvider';
import { explainProviderRefusal } from './providerRefusals';
import { readTlsFailure } from './tlsFailure';
import { explainTokenFailure } from '../oauth/explainTokenFailure';
import { explainGraphFailure } from '../graph/explainGraphFailure';

type Failure = Omit<ConnectionTestResult, 'messageSent' | 'reply' | 'server'>;

/** What a failure says; the connection test adds which server it was and whether a message went. */
export type ExplainedFailure = Omit<
  ConnectionTestResult,
  'messageSent' | 'server'
>;

const OFFICE365_SMTP_AUTH_DISABLED =
  'Office 365 has SMTP AUTH turned off for this tenant or mailbox (it is off by default). ' +
  'Turn on "Authenticated SMTP" for the mailbox in the Microsoft 365 admin center → Users → Active users → the user → Mail → Manage email apps, ' +
  'or run `Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false` in Exchange Online PowerShell ' +
  '(or `Set-TransportConfig -SmtpClientAuthenticationDisabled $false` for the whole tenant). ' +
  'Security defaults or a conditional access policy that blocks legacy authentication also block it.';

const OFFICE365_BASIC_AUTH_OFF =
  'Office 365 no longer accepts passwords for SMTP on this tenant (from the end of December 2026 this is the default). ' +
  'Switch to OAuth2: register an app in Entra ID, add the application permission Office 365 Exchange Online → SMTP.SendAsApp and grant admin consent, ' +
  'register its service principal in Exchange Online (`New-ServicePrincipal -AppId <client id> -ObjectId <enterprise application object id>`) ' +
  'and give it the mailbox (`Add-MailboxPermission -Identity <mailbox> -User <service principal id> -AccessRights FullAccess`), ' +
  'then set SMTP.AuthMethod xoauth2, SMTP.OAuth.Provider microsoft, SMTP.OAuth.TenantId, SMTP.OAuth.ClientId and SMTP.OAuth.ClientSecret.';

const OFFICE365_XOAUTH2_REFUSED =
  'The token is valid but Exchange does not let the app send as this mailbox. ' +
  "Register the app's service principal in Exchange Online (`New-ServicePrincipal -AppId <client id> -ObjectId <enterprise application object id>`), " +
  'give it the mailbox (`Add-MailboxPermission -Identity <SMTP.Username> -User <service principal id> -AccessRights FullAccess`), ' +
  'and check that the app has SMTP.SendAsApp with admin consent and that SMTP AUTH is on for the mailbox.';

const OFFICE365_DELEGATED_TOKEN_REFUSED =
  'Exchange did not accept the token for this mailbox. ' +
  'The refresh token must belong to SMTP.Username (or to a user with Send As on it) and must have been granted https://outlook.office.com/SMTP.Send with offline_access: sign in again with that consent and enter the new refresh token. ' +
  'SMTP AUTH must also be on for the mailbox (`Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false`).';

// The rule for passwords without TLS is mayLogInWithoutTls's: say it as it is.
const NO_STARTTLS_WAYS_OUT =
  'SMTP.Security is starttls, but this server has no STARTTLS to upgrade the connection with. ' +
  'If the server takes implicit TLS on another port (usually 465), set SMTP.Security to tls and SMTP.Port to that port. ' +
  'Only on a network you trust, set SMTP.Security to none: mail then travels unencrypted, and a password is not sent over it ' +
  "unless the server is on the portal's own machine (localhost, 127.x.x.x, ::1) or the portal operator allows it in mailer.allowInsecureAuth.";

/**
 * The server has no STARTTLS: it refused the command as unknown or not
 * offered (5xx), or it did not even take EHLO, where STARTTLS is announced.
 * A certificate problem fails later, in the TLS handshake, and keeps its own advice.
 */
function offersNoStartTls(e: SmtpFailure): boolean {
  if (e.code === 'ETLS' && e.command === 'STARTTLS') {
    return (e.responseCode ?? 0) >= 500;
  }
  return (
    e.code === 'ECONNECTION' &&
    e.command === 'EHLO' &&
    /HELO does not support required STARTTLS/.test(e.text)
  );
}

const refusalOf = (e: SmtpFailure, s: SmtpServerSettings) =>
  explainProviderRefusal(e, providerOf(s, e.response));

/** Rules that look at the server's reply: the most specific advice first. */
const REPLY_RULES: Array<{
  matches: (e: SmtpFailure, reply: string, s: SmtpServerSettings) => boolean;
  failure: (s: SmtpServerSettings, e: SmtpFailure) => Failure;
}> = [
  {
    // A receiver's refusal of the sender (Gmail, Outlook.com), first: Gmail's
    // 5.7.30 (DKIM) is not Exchange's (basic authentication off), below.
    matches: (e, _reply, s) => refusalOf(e, s) !== undefined,
    failure: (s, e) => refusalOf(e, s)!,
  },
  {
    matches: e => enhancedStatusOf(e.response) === '5.7.30',
    failure: () => ({
      outcome: 'authentication-failed',
      message:
        'The server refused the password: Basic authentication is not supported (550 5.7.30).',
      advice: OFFICE365_BASIC_AUTH_OFF,
    }),
  },
  {
    matches: (e, reply, s) =>
      s.auth?.kind === 'oauth2' &&
      e.responseCode === 535 &&
      reply.includes('5.7.3'),
    failure: s => ({
      outcome: 'authentication-failed',
      message: 'The server refused the OAuth2 token (535 5.7.3).',
      advice:
        s.auth?.kind === 'oauth2' && s.auth.oauth.provider === 'refresh-token'
          ? OFFICE365_DELEGATED_TOKEN_REFUSED
          : OFFICE365_XOAUTH2_REFUSED,
    }),
  },
  {
    matches: (e, reply) => e.responseCode === 535 && reply.includes('5.7.139'),
    failure: () => ({
      outcome: 'authentication-failed',
      message:
        'The server refused the login: SMTP AUTH is disabled (535 5.7.139).',
      advice: OFFICE365_SMTP_AUTH_DISABLED,
    }),
  },
  {
    matches: (e, reply) => e.responseCode === 535 && reply.includes('5.7.3'),
    failure: () => ({
      outcome: 'authentication-failed',
      message: 'The server refused the username or password (535 5.7.3).',
      advice:
        'Check SMTP.Username (the full mailbox address for Office 365) and enter the password again. ' +
        'If the account uses multi-factor authentication, basic SMTP login may be refused: use an app password or an account without MFA for sending.',
    }),
  },
  {
    matches: (e, reply) => e.responseCode === 530 && reply.includes('5.7.57'),
    failure: () => ({
      outcome: 'authentication-failed',
      message:
        'The server requires a login before it accepts mail (530 5.7.57).',
      advice:
        'Set SMTP.Username and SMTP.Password, use port 587 with STARTTLS, and make sure SMTP AUTH is enabled for the mailbox.',
    }),
  },
  {
    // By the enhanced code's place, never the text: a refused recipient
    // may be called SendAsDenied@….
    matches: e =>
      ['5.7.60', '5.2.252'].includes(enhancedStatusOf(e.response) ?? ''),
    failure: s => ({
      outcome: 'sender-refused',
      message: `The server does not let ${s.auth?.user ?? 'this account'} send as ${s.from}.`,
      advice:
        'Set SMTP.From to the mailbox you log in with, or give that account "Send As" permission on the sender mailbox (Exchange admin center → Recipients → Mailboxes → Delegation).',
    }),
  },
  {
    matches: (e, reply) =>
      e.responseCode === 432 ||
      e.responseCode === 421 ||
      reply.includes('4.3.2'),
    failure: () => ({
      outcome: 'server-busy',
      message:
        'The server is busy or has too many connections open from this account.',
      advice:
        'Wait a minute and try again. Office 365 allows 3 concurrent connections per mailbox; close other clients sending through it or lower the number of connections.',
    }),
  },
];

function byCode(e: SmtpFailure, s: SmtpServerSettings, text: string): Failure {
  const where = `${s.host}:${s.port}`;
  if (e.notSmtp) {
    return {
      outcome: 'not-smtp',
      message: `The server at ${where} does not speak SMTP.`,
      advice:
        'Check SMTP.Server and SMTP.Port: the port answers, but not as a mail server. Submission is usually on port 587.',
    };
  }
  if (e.code === 'EPOLICY') {
    return {
      outcome: 'not-allowed',
      message: text,
      advice:
        'Choose a public SMTP server. A portal operator can allow an internal relay in mailer.serverPolicy.',
    };
  }
  if (e.code === 'EDKIM') {
    return {
      outcome: 'signing-failed',
      message: `${text}. Mail is not sent unsigned: it waits until the key signs.`,
      advice:
        'Generate a new DKIM key in the card, or enter a working RSA key (at least 1024 bits) as SMTP.DKIM.PrivateKey, and publish its record; or remove SMTP.DKIM.Domain if your server signs the mail itself.',
    };
  }
  if (e.code === 'EDNS' || /ENOTFOUND|EAI_AGAIN/.test(text)) {
    return {
      outcome: 'dns-failure',
      message: `The server name ${s.host} could not be found.`,
      advice:
        'Check the spelling of SMTP.Server, e.g. smtp.office365.com or smtp.gmail.com.',
    };
  }
  if (e.code === 'EINSECURE') {
    return {
      outcome: 'tls-failure',
      message: `The connection to ${where} is not encrypted (SMTP.Security none), so the password was not sent.`,
      advice:
        'Use SMTP.Security starttls (port 587) or tls (port 465). ' +
        "A password goes over an unencrypted connection only to a server on the portal's own machine, or where the portal operator allows it in mailer.allowInsecureAuth. " +
        'A relay that needs no login takes SMTP.AuthMethod none.',
    };
  }
  if (e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(text)) {
    return {
      outcome: 'connection-refused',
      message: `Nothing accepted a connection at ${where}.`,
      advice:
        'Check SMTP.Port (usually 587) and that the server accepts connections from the portal.',
    };
  }
  if (e.code === 'EPROTOCOL' && e.command === 'CONN' && e.responseCode) {
    return {
      outcome: 'connection-refused',
      message: `The server at ${where} turned the connection away when it answered (${e.responseCode}).`,
      advice:
        "The server does not take mail from the portal: its administrator may have to allow the portal's address, or SMTP.Server and SMTP.Port name another service. The server's reply below may say why.",
    };
  }
  if (e.code === 'ETIMEDOUT' || /timed? ?out|ETIMEDOUT/i.test(text)) {
    return {
      outcome: 'timeout',
      message: `The server at ${where} did not answer in time.`,
      advice:
        'A firewall may be dropping the connection; many networks block port 25. Try port 587, and check the host name and port.',
    };
  }
  if (offersNoStartTls(e)) {
    return {
      outcome: 'tls-failure',
      message: `The server at ${where} does not offer STARTTLS.`,
      advice: NO_STARTTLS_WAYS_OUT,
    };
  }
  const tls = readTlsFailure(text, e.code, where);
  if (tls) {
    return {
      outcome: 'tls-failure',
      message: tls.message,
      advice: tls.advice,
      ...(tls.problem && { tlsProblem: tls.problem }),
    };
  }
  if (e.code === 'EAUTH') {
    return {
      outcome: 'authentication-failed',
      message: 'The server refused the login.',
      advice:
        'Check SMTP.Username and enter SMTP.Password again. Gmail needs an app password for SMTP.',
    };
  }
  if (e.code === 'EENVELOPE' && e.command === 'MAIL FROM') {
    return {
      outcome: 'sender-refused',
      message: `The server refused the sender ${s.from}.`,
      advice: 'Set SMTP.From to an address the account may send as.',
    };
  }
  if (e.code === 'EENVELOPE') {
    return {
      outcome: 'recipient-refused',
      message: 'The server refused the recipient.',
      advice:
        'Check the address. Some servers only deliver to their own domains unless relaying is allowed for the account.',
    };
  }
  return {
    outcome: 'unknown-failure',
    message: `It failed: ${text}`,
    advice:
      'Check the server settings and try again; the server reply below may say more.',
  };
}

/**
 * Explains why talking to an SMTP server failed: what happened in one
 * sentence and what to do about it. Known replies of Office 365 and Gmail get
 * their own advice. No text in the result contains the password.
 */
export function classifySmtpFailure(
  error: unknown,
  server: SmtpServerSettings,
): ExplainedFailure {
  return explainSmtpFailure(readSmtpFailure(error, server), server);
}

/** `classifySmtpFailure` for a failure already read. */
export function explainSmtpFailure(
  e: SmtpFailure,
  server: SmtpServerSettings,
): ExplainedFailure {
  const reply = e.response ?? '';
  if (e.code === 'ETOKEN') {
    return { ...explainTokenFailure(e.token ?? {}, e.text), reply: undefined };
  }
  let failure: Failure;
  if (e.code === 'EGRAPH') {
    failure = explainGraphFailure(reply, server.auth?.user ?? '');
  } else {
    const rule = REPLY_RULES.find(r => r.matches(e, reply, server));
    failure = rule ? rule.failure(server, e) : byCode(e, server, e.text);
  }
  return {
    ...failure,
    reply:
      e.responseCode || reply
        ? { responseCode: e.responseCode, response: reply || undefined }
        : undefined,
  };
}
