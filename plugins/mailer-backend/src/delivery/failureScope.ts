import { SmtpReply } from '@elixeum/plugin-mailer-common';
import { replyOf, SmtpFailure } from '../smtp/readSmtpFailure';
import { SmtpServerSettings } from '../smtp/SmtpServerSettings';

/**
 * What a failed attempt says, and so what the outbox does about it:
 * - `server`: the server failed as a whole (unreachable, TLS, login refused,
 *   asked us to go away, refuses this sender): pause its lane; the message
 *   was not at fault and keeps its attempts;
 * - `message`: this message failed, for now (4xx, a dropped connection) or
 *   for good (5xx);
 * - `local`: the message could not even be built: fail it alone.
 */
export type FailureScope =
  | { scope: 'server'; reply: SmtpReply }
  | { scope: 'message'; temporary: boolean; reply: SmtpReply }
  | { scope: 'local'; reply: SmtpReply };

/** Replies that are about the account or its settings, whichever message is sent. */
const SERVER_REPLIES = [
  /\b5\.7\.139\b/, // Office 365: SMTP AUTH disabled
  /\b5\.7\.30\b/, // Office 365: Basic authentication not supported
  /\b5\.7\.60\b/, // Office 365: may not send as this sender
  /\b5\.2\.252\b/,
  /SendAsDenied/i,
];
/** 421 service closing, 454 temporary login failure, 530 login required, 534/535 login refused, 538 encryption required. */
const SERVER_CODES = [421, 454, 530, 534, 535, 538];

/** Reads a failed attempt as the outbox needs it. */
export function failureScope(
  failure: SmtpFailure,
  server: SmtpServerSettings,
): FailureScope {
  const reply = replyOf(failure, server);
  if (failure.stage === undefined) return { scope: 'local', reply };
  if (failure.stage === 'connect') return { scope: 'server', reply };
  const code = failure.responseCode;
  if (
    (code !== undefined && SERVER_CODES.includes(code)) ||
    SERVER_REPLIES.some(pattern => pattern.test(failure.response ?? ''))
  ) {
    return { scope: 'server', reply };
  }
  if (code === undefined) {
    // The connection broke mid-transaction (or timed out): try the message
    // again. A size the server announced it refuses will never pass.
    const tooLarge = failure.code === 'EMESSAGE' || failure.code === 'ESTREAM';
    return { scope: 'message', temporary: !tooLarge, reply };
  }
  return { scope: 'message', temporary: code >= 400 && code < 500, reply };
}
