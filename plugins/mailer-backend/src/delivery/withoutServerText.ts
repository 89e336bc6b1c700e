import { SmtpReply } from '@elixeum/plugin-mailer-common';
import { DeliveryOutcome } from '../database/OutboxClaims';
import { RecipientResults } from '../database/outboxRows';

const UNSTORABLE = "The server's reply could not be stored";

function plainReply(reply: SmtpReply): SmtpReply {
  return {
    responseCode: reply.responseCode,
    code:
      reply.code && /^[A-Z0-9_.-]{1,32}$/i.test(reply.code)
        ? reply.code
        : undefined,
    response: reply.response === undefined ? undefined : UNSTORABLE,
  };
}

function plainResults(results: RecipientResults): RecipientResults {
  return Object.fromEntries(
    Object.entries(results).map(([address, result]) => [
      address,
      {
        state: result.state,
        ...(result.reply && { reply: plainReply(result.reply) }),
        ...(result.suppression && { suppression: result.suppression }),
      },
    ]),
  );
}

/**
 * An outcome with every text that came from a server replaced, keeping
 * states and reply codes: what is left is our own, so the database takes
 * it even when it refused what a hostile server said.
 */
export function withoutServerText(outcome: DeliveryOutcome): DeliveryOutcome {
  switch (outcome.kind) {
    case 'delivered':
      return { ...outcome, results: plainResults(outcome.results) };
    case 'suppressed':
      return { ...outcome, results: plainResults(outcome.results) };
    case 'retry':
    case 'failed':
      return {
        ...outcome,
        reply: plainReply(outcome.reply),
        results: plainResults(outcome.results),
      };
    default:
      return {
        ...outcome,
        reply: outcome.reply && plainReply(outcome.reply),
        results: outcome.results && plainResults(outcome.results),
      };
  }
}
