import { SenderCheckItem } from '@elixeum/plugin-mailer-common';
import { MailProvider } from '../smtp/mailProvider';

/**
 * Domains of free mailboxes: their owners publish DMARC for them, and no
 * tenant can add SPF or DKIM for its own server to them.
 */
const FREE_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'ymail.com',
  'aol.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'gmx.com',
  'gmx.net',
  'gmx.de',
  'web.de',
  'mail.com',
  'proton.me',
  'protonmail.com',
  'yandex.com',
  'yandex.ru',
  'mail.ru',
  'seznam.cz',
  'qq.com',
  '163.com',
]);

/** Whether a domain is a free-mail provider's (or a country version of Yahoo, Hotmail or Outlook). */
export function isFreeMailDomain(domain: string): boolean {
  const d = domain.toLowerCase();
  return (
    FREE_MAIL_DOMAINS.has(d) ||
    /^(yahoo|hotmail|outlook|live)\.(co\.)?[a-z]{2,3}$/.test(d)
  );
}

const domainOf = (address: string) =>
  address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/**
 * Whether the From address suits the mailbox that sends it: the mailbox the
 * server logs in with, or one it may send as (Exchange refuses others with
 * SendAsDenied, Gmail replaces them); and not a free-mail address, which a
 * tenant cannot authenticate.
 */
export function checkSenderAddress(target: {
  from: string;
  login?: string;
  provider: MailProvider;
  host: string;
}): SenderCheckItem {
  const { from, login, provider, host } = target;
  const domain = domainOf(from);
  if (isFreeMailDomain(domain)) {
    return {
      check: 'sender',
      status: 'warn',
      message: `${from} is a free-mail address: you cannot publish SPF, DKIM or DMARC for ${domain}, and its owner's DMARC policy may have other servers' mail refused.`,
      advice:
        'Send from an address at a domain you own (SMTP.From), and authenticate that domain.',
    };
  }
  const isLogin =
    login !== undefined && login.toLowerCase() === from.toLowerCase();
  if (isLogin) {
    return {
      check: 'sender',
      status: 'pass',
      message: `${from} is the mailbox the server logs in with.`,
    };
  }
  if (login === undefined || !login.includes('@')) {
    return {
      check: 'sender',
      status: 'pass',
      message: login
        ? `${host} logs in as ${login}; which From addresses it accepts is its own rule.`
        : `${host} sends without a login; which From addresses it accepts is its own rule.`,
      advice: 'A test email shows whether it takes this one.',
    };
  }
  if (provider === 'microsoft') {
    return {
      check: 'sender',
      status: 'warn',
      message: `${from} is not the mailbox ${login} logs in as: Exchange Online refuses it (SendAsDenied, 5.7.60) unless ${login} may send as it.`,
      advice: `Give ${login} "Send As" on ${from} (Exchange admin center → Recipients → Mailboxes → ${from} → Delegation), or set SMTP.From to ${login}. A test email shows whether Exchange takes it.`,
    };
  }
  if (provider === 'google') {
    return {
      check: 'sender',
      status: 'warn',
      message: `${from} is not the mailbox ${login} logs in as: Gmail replaces it with ${login} unless it is one of its verified "Send mail as" addresses.`,
      advice: `Add ${from} under Gmail settings → Accounts → Send mail as for ${login}, or set SMTP.From to ${login}.`,
    };
  }
  if (domainOf(login) === domain) {
    return {
      check: 'sender',
      status: 'pass',
      message: `${from} is at the same domain as the login ${login}.`,
      advice: `If ${host} refuses it, give ${login} the right to send as ${from}.`,
    };
  }
  return {
    check: 'sender',
    status: 'warn',
    message: `${from} is at another domain than the login ${login}: ${host} may refuse it or send it as ${login}.`,
    advice: `Make sure ${host} lets ${login} send for ${domain}; a test email shows whether it does.`,
  };
}
