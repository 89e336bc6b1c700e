import { MailDeliveryError } from '@elixeum/plugin-mailer-common';
import { SmtpServerSettings } from '../config';
import { NodemailerError } from './classifySmtpFailure';
import { redactSecrets } from './redactSecrets';

/**
 * Turns whatever nodemailer threw into a `MailDeliveryError` with the SMTP
 * reply, the password removed from every text, and no cause attached (a
 * cause would be serialized into API responses).
 */
export function toMailDeliveryError(
  error: unknown,
  server: SmtpServerSettings,
): MailDeliveryError {
  const e = (
    typeof error === 'object' && error !== null ? error : {}
  ) as NodemailerError;
  const text = e.message ?? String(error);
  return new MailDeliveryError(
    `Mail could not be delivered through ${server.host}:${server.port}: ${redactSecrets(text, server.auth)}`,
    {
      responseCode: e.responseCode,
      response:
        e.response === undefined
          ? undefined
          : redactSecrets(e.response, server.auth),
      code: e.code,
    },
  );
}
