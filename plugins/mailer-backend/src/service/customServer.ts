import {
  findMissingRequiredKeys,
  isEmailAddress,
  MailerStatus,
  SMTP_KEYS,
} from '@elixeum/plugin-mailer-common';
import {
  defaultSecurityForPort,
  SmtpSecurity,
  SmtpServerSettings,
} from '../config';

/**
 * The From address of a tenant's custom server: `SMTP.From`, else the
 * username when it is a mail address (as with Office 365 and Gmail), else the
 * default mailbox's sender.
 */
function customSender(
  values: ReadonlyMap<string, string>,
  defaultSender: string,
): string {
  const from = values.get(SMTP_KEYS.from);
  if (from) return from;
  const username = values.get(SMTP_KEYS.username);
  return username && isEmailAddress(username) ? username : defaultSender;
}

/** Which server a tenant's mail goes through, given the keys it has set. */
export function statusOf(
  values: ReadonlyMap<string, string>,
  defaultSender: string,
): MailerStatus {
  const missingKeys = findMissingRequiredKeys(values.keys());
  if (missingKeys.length > 0) {
    return { server: 'default', missingKeys, sender: defaultSender };
  }
  return {
    server: 'custom',
    missingKeys,
    sender: customSender(values, defaultSender),
  };
}

/**
 * The tenant's own server, or undefined while a required key is missing.
 * `values` must hold decrypted secrets.
 */
export function toCustomServer(
  values: ReadonlyMap<string, string>,
  defaultSender: string,
): SmtpServerSettings | undefined {
  if (statusOf(values, defaultSender).server !== 'custom') return undefined;
  const port = Number(values.get(SMTP_KEYS.port));
  return {
    host: values.get(SMTP_KEYS.server)!,
    port,
    security:
      (values.get(SMTP_KEYS.security) as SmtpSecurity | undefined) ??
      defaultSecurityForPort(port),
    auth: {
      user: values.get(SMTP_KEYS.username)!,
      pass: values.get(SMTP_KEYS.password)!,
    },
    from: customSender(values, defaultSender),
  };
}
