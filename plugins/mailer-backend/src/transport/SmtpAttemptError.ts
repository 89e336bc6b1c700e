/** nodemailer's error fields (and Graph's, told in the same terms). */
export interface SmtpErrorFields {
  /** The token endpoint's refusal, when getting an OAuth2 token failed. */
  tokenError?: unknown;
  /** How long the server asked us to wait (Graph's Retry-After). */
  retryAfterMs?: number;
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
  recipient?: string;
  rejectedErrors?: SmtpErrorFields[];
}

/**
 * Where in the SMTP dialogue an attempt failed; what a failure means is
 * decided from this and the reply codes, never from the reply's free text:
 * - `connect`: anything before the message's transaction (TCP, greeting,
 *   EHLO, STARTTLS, login); nothing of the message left;
 * - `mail`: MAIL FROM, the sender (the same for every message of a server);
 * - `rcpt`: RCPT TO, one recipient;
 * - `data`: the DATA command, before any of the message was sent;
 * - `message`: the server's answer to the message itself (end of data);
 * - `transaction`: elsewhere in the transaction: the connection dropped or
 *   timed out, or the message could not be read.
 */
export type SmtpStage =
  'connect' | 'mail' | 'rcpt' | 'data' | 'message' | 'transaction';

/** A failed attempt, with the stage it failed at and nodemailer's error. */
export class SmtpAttemptError extends Error {
  constructor(
    readonly stage: SmtpStage,
    readonly failure: Error & SmtpErrorFields,
  ) {
    super(failure.message);
    this.name = 'SmtpAttemptError';
  }
}

/**
 * The stage of a failure inside a transaction, from the command nodemailer
 * says failed: it names DATA both for the command and for the answer to the
 * message, told apart by its error code.
 */
export function transactionStage(failure: SmtpErrorFields): SmtpStage {
  switch (failure.command) {
    case 'MAIL FROM':
      return 'mail';
    case 'RCPT TO':
      return 'rcpt';
    case 'DATA':
      return failure.code === 'EMESSAGE' ? 'message' : 'data';
    default:
      return 'transaction';
  }
}
