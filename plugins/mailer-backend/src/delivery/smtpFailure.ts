import { SmtpReply } from '@elixeum/plugin-mailer-common';
import { SmtpServerSettings } from '../config';
import { redactSecrets } from './redactSecrets';

/** What nodemailer says about a failure, with the password removed from every text. */
export interface SmtpFailure {
  /** nodemailer's error code, e.g. EAUTH, ECONNECTION, ETIMEDOUT, EENVELOPE. */
  code?: string;
  /** The SMTP command that failed, e.g. `MAIL FROM`. */
  command?: string;
  responseCode?: number;
  /** The server's reply text, when it gave one. */
  response?: string;
  /** The error message. */
  text: string;
}

/**
 * Reads the fields nodemailer puts on its errors. Every text is redacted
 * here, once, so no caller can forget to.
 */
export function readSmtpFailure(
  error: unknown,
  server: SmtpServerSettings,
): SmtpFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    message?: string;
    code?: string;
    command?: string;
    responseCode?: number;
    response?: string;
  };
  return {
    code: e.code,
    command: e.command,
    responseCode: e.responseCode,
    response:
      e.response === undefined
        ? undefined
        : redactSecrets(e.response, server.auth),
    text: redactSecrets(e.message ?? String(error), server.auth),
  };
}

/**
 * The reply to store for a failed delivery attempt: the server's own text,
 * or, when there was none (a refused connection, a timeout), what went wrong.
 */
export function smtpReplyOf(
  error: unknown,
  server: SmtpServerSettings,
): SmtpReply {
  const failure = readSmtpFailure(error, server);
  return {
    responseCode: failure.responseCode,
    code: failure.code,
    response:
      failure.response ??
      `Mail could not be delivered through ${server.host}:${server.port}: ${failure.text}`,
  };
}
