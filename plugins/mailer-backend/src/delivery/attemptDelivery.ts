import { SmtpReply } from '@elixeum/plugin-mailer-common';
import MailComposer from 'nodemailer/lib/mail-composer';
import { ClaimedMessage, DeliveryOutcome } from '../database/OutboxClaims';
import { pendingAddresses, RecipientResults } from '../database/outboxRows';
import { readSmtpFailure, SmtpFailure } from '../smtp/readSmtpFailure';
import {
  MailTransport,
  SmtpRecipientRefusal,
} from '../transport/MailTransport';
import { composeMessage, messageIdOf, StoredTemplate } from './composeMessage';
import { ListLink } from './listHeaders';
import { firstRefusal, markAll, mergeAttempt, settle } from './deliveryOutcome';
import { FailureScope, failureScope } from './failureScope';
import { RetryPolicy } from './retryPolicy';

/**
 * How an attempt ended: with the message's outcome, or with a failure of
 * the server as a whole. Either way `results` holds what each recipient got
 * so far, so a recipient that has the message never gets it again because a
 * later step failed. `refused` lists the recipients the server refused at
 * RCPT TO in this attempt, with their replies: the bounces it saw.
 */
export type AttemptEnd = { refused?: SmtpRecipientRefusal[] } & (
  | { outcome: DeliveryOutcome }
  | {
      serverFailure: SmtpFailure;
      results: RecipientResults;
      /** Whether it failed inside the message's own transaction (the message may be the cause). */
      duringMessage: boolean;
    }
);

/** What an attempt needs besides the message. */
export interface AttemptContext {
  transport: MailTransport;
  retry: RetryPolicy;
  /**
   * Whether a failure of the server inside this message's transaction is
   * still read as the server's: false while the server just worked for
   * other messages, so that one message cannot pause everyone's mail.
   */
  blameServer: boolean;
  /** Whether the message's claim still holds (checked before a follow-up transaction). */
  stillHeld: () => boolean;
  /** Its list and unsubscribe link, when it is list mail. */
  list?: ListLink;
}

/**
 * One attempt at a message. Recipients a server refuses with 452 (too many
 * recipients) while accepting others get a new transaction at once, as
 * SMTP asks.
 */
export async function attemptDelivery(
  message: ClaimedMessage,
  template: StoredTemplate | undefined,
  context: AttemptContext,
): Promise<AttemptEnd> {
  const { transport, retry } = context;
  const server = transport.server;
  const messageId = messageIdOf(message.id, server.from);
  let results = message.results;
  const refused: SmtpRecipientRefusal[] = [];
  const end = (reply: SmtpReply): AttemptEnd => ({
    outcome: settle(message, results, reply, messageId, retry),
    refused,
  });
  let envelopeTo = pendingAddresses(message.recipients, results);
  let compiled: ReturnType<MailComposer['compile']>;
  try {
    if (message.unreadable) throw new Error(message.unreadable);
    if (!template) throw new Error('its body is gone or cannot be read');
    compiled = new MailComposer(
      composeMessage(template, message, server, envelopeTo, context.list),
    ).compile();
    // Graph reads the recipients from the headers: Bcc must be in them.
    compiled.keepBcc = transport.needsBccHeader;
  } catch (error) {
    // A message that cannot be built fails by itself; its claim goes on.
    const reply = {
      code: 'ECOMPOSE',
      response: `The message could not be built: ${(error as Error).message}`,
    };
    results = markAll(results, envelopeTo, 'failed', reply);
    return end(reply);
  }
  try {
    for (;;) {
      const sent = await transport.send(
        { from: server.from, to: envelopeTo },
        () => compiled.createReadStream(),
      );
      results = mergeAttempt(results, sent);
      refused.push(...sent.refused);
      const again = sent.accepted.length
        ? sent.refused.filter(r => r.responseCode === 452)
        : [];
      if (again.length === 0 || !context.stillHeld()) {
        return end(firstRefusal(sent.refused) ?? { response: sent.response });
      }
      envelopeTo = again.map(r => r.recipient);
    }
  } catch (error) {
    try {
      return afterFailure(error);
    } catch (bug) {
      // A bug must not lose what the recipients already got.
      return {
        outcome: unexpectedFailure(message, results, server.from, retry, bug),
      };
    }
  }

  function afterFailure(error: unknown): AttemptEnd {
    const failure = readSmtpFailure(error, server);
    const scope = failureScope(failure, server);
    if (
      scope.scope === 'server' &&
      (!scope.duringMessage || context.blameServer)
    ) {
      return {
        serverFailure: failure,
        results,
        duringMessage: scope.duringMessage,
        refused,
      };
    }
    if (failure.refusedRecipients?.length) {
      const all = failure.refusedRecipients.map(r => ({
        recipient: r.recipient ?? '',
        responseCode: r.responseCode,
        response: r.response,
      }));
      results = mergeAttempt(results, { accepted: [], refused: all });
      refused.push(...all);
    } else {
      results = markAll(results, envelopeTo, stateAfter(scope), scope.reply);
    }
    return end(scope.reply);
  }
}

/**
 * What the recipients of a failed transaction are now. A server failure the
 * message may have caused counts as the message's own, for now: it is tried
 * again later, and fails alone once its attempts run out.
 */
function stateAfter(scope: FailureScope): 'deferred' | 'failed' {
  switch (scope.scope) {
    case 'local':
      return 'failed';
    case 'server':
      return 'deferred';
    default:
      return scope.temporary ? 'deferred' : 'failed';
  }
}

/** The outcome of an attempt that went wrong in our own code: the message fails alone. */
export function unexpectedFailure(
  message: ClaimedMessage,
  results: RecipientResults,
  from: string,
  retry: RetryPolicy,
  error: unknown,
): DeliveryOutcome {
  const reply = {
    code: 'EINTERNAL',
    response: `Delivery failed unexpectedly: ${(error as Error)?.name ?? 'error'}`,
  };
  const pending = pendingAddresses(message.recipients, results);
  return settle(
    message,
    markAll(results, pending, 'failed', reply),
    reply,
    messageIdOf(message.id, from),
    retry,
  );
}
