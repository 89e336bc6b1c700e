import { SmtpReply } from '@elixeum/plugin-mailer-common';
import { replyOf, SmtpFailure } from '../smtp/readSmtpFailure';
import { SmtpServerSettings } from '../smtp/SmtpServerSettings';
import { enhancedStatusOf } from '../smtp/enhancedStatus';

/**
 * What a failed attempt says, and so what the outbox does about it:
 * - `server`: the server (or the account it sends as) failed as a whole:
 *   unreachable, TLS, login refused, the sender refused, or it closed the
 *   channel (421). Its lane pauses; the message was not at fault.
 *   `duringMessage` is set when it happened inside a message's transaction,
 *   where the message itself may have been the cause;
 * - `message`: this message failed, for now (4xx, a dropped connection) or
 *   for good (5xx);
 * - `local`: the message could not even be built: fail it alone.
 *
 * Decided from the stage of the SMTP dialogue and the reply and enhanced
 * status codes (RFC 5321, RFC 3463), never from the reply's free text:
 * replies may quote a recipient's address, and an address such as
 * `SendAsDenied@example.com` must not be able to pause a shared server.
 */
export type FailureScope =
  | { scope: 'server'; reply: SmtpReply; duringMessage: boolean }
  | { scope: 'message'; temporary: boolean; reply: SmtpReply }
  | { scope: 'local'; reply: SmtpReply };

/**
 * Enhanced codes that say the account may not send this way, whatever the
 * message: Exchange Online's "send as denied" (5.7.60, 5.2.252), "client
 * blocked from sending from unregistered domains" (5.7.750) and "tenant
 * over its sending threshold" (5.7.705).
 */
const ACCOUNT_STATUS = new Set(['5.7.60', '5.2.252', '5.7.750', '5.7.705']);

/** A size the server announced it refuses: no later try passes. */
const TOO_LARGE_STATUS = new Set(['5.3.4', '5.2.3']);

/** Reads a failed attempt as the outbox needs it. */
export function failureScope(
  failure: SmtpFailure,
  server: SmtpServerSettings,
): FailureScope {
  const reply = replyOf(failure, server);
  const { stage, responseCode: code } = failure;
  if (stage === undefined) return { scope: 'local', reply };
  if (stage === 'connect') {
    return { scope: 'server', reply, duringMessage: false };
  }
  const status = enhancedStatusOf(failure.response);
  const serverFailure = {
    scope: 'server',
    reply,
    duringMessage: true,
  } as const;
  const messageFailure = (temporary: boolean) =>
    ({ scope: 'message', temporary, reply }) as const;
  const temporaryCode = code !== undefined && code >= 400 && code < 500;

  // 421: the server closes the channel, whichever command it answered.
  if (code === 421) return serverFailure;
  if (code === undefined) {
    // Nothing answered: the connection broke or timed out mid-transaction,
    // try again; or the message cannot be sent at all (larger than the
    // server's announced size, or it could not be read).
    const never = failure.code === 'EMESSAGE' || failure.code === 'ESTREAM';
    return messageFailure(!never);
  }
  if (status !== undefined && TOO_LARGE_STATUS.has(status)) {
    return messageFailure(false);
  }
  switch (stage) {
    case 'mail':
      // The sender is the same for every message through this server: a
      // refusal of it is the account's (login needed, sender not allowed,
      // out of storage), except a size this message alone has.
      return code === 552 ? messageFailure(false) : serverFailure;
    case 'message':
      return status !== undefined && ACCOUNT_STATUS.has(status)
        ? serverFailure
        : messageFailure(temporaryCode);
    default:
      // RCPT TO (each recipient's own refusal), DATA, or elsewhere.
      return messageFailure(temporaryCode);
  }
}
