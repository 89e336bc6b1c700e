import { SmtpReply } from '@elixeum/plugin-mailer-common';
import { TokenError } from '../oauth/TokenError';
import { cleanServerText } from '../text/cleanServerText';
import {
  SmtpAttemptError,
  SmtpErrorFields,
  SmtpStage,
} from '../transport/SmtpAttemptError';
import { redactSecrets } from './redactSecrets';
import { SmtpServerSettings } from './SmtpServerSettings';

/** What nodemailer says about a failure, with the password removed from every text. */
export interface SmtpFailure {
  /** nodemailer's error code, e.g. EAUTH, ECONNECTION, ETIMEDOUT, EENVELOPE; or a system code such as ECONNREFUSED. */
  code?: string;
  /** The SMTP command that failed, e.g. `MAIL FROM`. */
  command?: string;
  responseCode?: number;
  /** The server's reply text, when it gave one. */
  response?: string;
  /** The error message. */
  text: string;
  /** Before the message's transaction (connect, TLS, login) or during it; unknown for other errors. */
  stage?: SmtpStage;
  /** Each refused recipient, when the server refused them all. */
  refusedRecipients?: SmtpErrorFields[];
  /**
   * The other side answered, but not in SMTP (an SSH banner, an HTTP or
   * Redis reply): what it said is dropped, never echoed.
   */
  notSmtp?: boolean;
  /** What the token endpoint said, when getting an OAuth2 token failed. */
  token?: TokenError['details'];
  /** How long the server asked us to wait before trying again. */
  retryAfterMs?: number;
}

/** An SMTP reply starts with a three-digit code and a space or a hyphen. */
const SMTP_REPLY = /^\d{3}(?:[ -]|$)/;

/**
 * Reads the fields nodemailer puts on its errors. Every text is cleaned (a
 * server may answer with NUL bytes, escape sequences or 1 MB lines) and
 * redacted here, once, so no caller can forget to.
 */
export function readSmtpFailure(
  error: unknown,
  server: SmtpServerSettings,
): SmtpFailure {
  const stage = error instanceof SmtpAttemptError ? error.stage : undefined;
  const inner = error instanceof SmtpAttemptError ? error.failure : error;
  const e = (typeof inner === 'object' && inner !== null ? inner : {}) as {
    message?: string;
  } & SmtpErrorFields;
  // Redacted before and after cleaning: a secret split by a control
  // character is whole again once the character is gone.
  const redact = (text: string) =>
    redactSecrets(cleanServerText(redactSecrets(text, server)), server);
  const tokenError = [inner, e.tokenError].find(
    (candidate): candidate is TokenError => candidate instanceof TokenError,
  );
  if (tokenError) {
    const { description, ...details } = tokenError.details;
    return {
      code: 'ETOKEN',
      text: redact(tokenError.message),
      stage: stage ?? 'connect',
      token: {
        ...details,
        ...(description && { description: redact(description) }),
      },
    };
  }
  if (typeof e.response === 'string' && !SMTP_REPLY.test(e.response)) {
    return {
      code: e.code,
      command: e.command,
      text: 'The reply was not SMTP',
      stage,
      notSmtp: true,
    };
  }
  return {
    code: e.code,
    command: e.command,
    responseCode: e.responseCode,
    response: e.response === undefined ? undefined : redact(e.response),
    text: redact(e.message ?? String(inner)),
    stage,
    retryAfterMs: e.retryAfterMs,
    refusedRecipients: e.rejectedErrors?.map(r => ({
      recipient: r.recipient,
      responseCode: r.responseCode,
      response: r.response === undefined ? undefined : redact(r.response),
    })),
  };
}

/**
 * The reply to store for a failure: the server's own text, or, when there
 * was none (a refused connection, a timeout), what went wrong.
 */
export function replyOf(
  failure: SmtpFailure,
  server: SmtpServerSettings,
): SmtpReply {
  return {
    responseCode: failure.responseCode,
    code: failure.code,
    response:
      failure.response ??
      `Mail could not be delivered through ${server.host}:${server.port}: ${failure.text}`,
  };
}
