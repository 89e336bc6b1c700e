import { SMTP_KEYS, SmtpReply } from '@elixeum/plugin-mailer-common';
import { ClaimedMessage, DeliveryOutcome } from '../database/OutboxClaims';
import {
  envelopeAddresses,
  pendingAddresses,
  RecipientResults,
  resultKey,
} from '../database/outboxRows';
import {
  blocks,
  Suppression,
  SuppressionStore,
  suppressionKey,
  toRecipientSuppression,
} from '../database/SuppressionStore';
import { UnsubscribeTokens } from '../crypto/UnsubscribeTokens';
import { TenantSettingsSnapshot } from '../service/TenantSettingsService';
import { messageIdOf } from './composeMessage';
import { ListLink } from './listHeaders';

/** A claimed message to send, with its list's link when it is list mail. */
export interface ScreenedMessage {
  message: ClaimedMessage;
  list?: ListLink;
}

/** A claim after screening: what to send, and the outcomes of what not to. */
export interface ScreenedClaim {
  send: ScreenedMessage[];
  skipped: Array<{ message: ClaimedMessage; outcome: DeliveryOutcome }>;
}

/** What screening needs beyond the messages. */
export interface ScreenContext {
  /** The From address of the lane's server (Message-IDs are made from it). */
  from: string;
  /** The tenant's unsubscribe mailbox (`SMTP.UnsubscribeMailbox`), if set. */
  unsubscribeMailbox?: string;
}

/** The tenant's unsubscribe mailbox (`SMTP.UnsubscribeMailbox`), stored as plain text. */
export function unsubscribeMailboxIn(
  snapshot: TenantSettingsSnapshot,
): string | undefined {
  return snapshot.settings.find(s => s.key === SMTP_KEYS.unsubscribeMailbox)
    ?.value;
}

const NOBODY_GOT_IT: SmtpReply = {
  code: 'ESUPPRESSED',
  response: 'Not sent: the remaining recipients are on the suppression list.',
};

/**
 * The suppression list at delivery: a claim is checked right after it is
 * taken, with one query for all its messages, so that an unsubscribe (or a
 * bounce) recorded while a mailing runs stops every message claimed after
 * it. Recipients still waiting for a message who are suppressed for its
 * kind of mail are marked `suppressed`; a message left with nobody to send
 * to ends `suppressed` (never failed). List mail that goes out gets its
 * recipient's unsubscribe link.
 */
export class ListMail {
  constructor(
    private readonly deps: {
      suppressions: Pick<SuppressionStore, 'matching'>;
      tokens: UnsubscribeTokens;
      /** The public URL the unsubscribe route answers under, e.g. `https://portal.example.com/api/mailer/unsubscribe`. */
      unsubscribeUrl: () => Promise<string>;
    },
  ) {}

  /** Splits a claim of one tenant's messages into those to send and those to skip. */
  async screen(
    tenantId: string,
    messages: ClaimedMessage[],
    context: ScreenContext,
  ): Promise<ScreenedClaim> {
    const readable = messages.filter(m => !m.unreadable);
    const found = await this.deps.suppressions.matching(
      tenantId,
      readable.flatMap(m => pendingAddresses(m.recipients, m.results)),
      readable.flatMap(m => (m.listId ? [m.listId] : [])),
    );
    const byAddress = new Map<string, Suppression[]>();
    for (const suppression of found) {
      const same = byAddress.get(suppression.address) ?? [];
      byAddress.set(suppression.address, [...same, suppression]);
    }
    const hasList = readable.some(m => m.listId);
    const baseUrl = hasList ? await this.deps.unsubscribeUrl() : '';
    const screened: ScreenedClaim = { send: [], skipped: [] };
    for (const message of messages) {
      if (message.unreadable) {
        // Fails by itself when it is attempted, as before.
        screened.send.push({ message });
        continue;
      }
      const results = withSuppressed(message, byAddress);
      if (pendingAddresses(message.recipients, results).length === 0) {
        screened.skipped.push({
          message,
          outcome: nobodyLeft(message, results, context.from),
        });
        continue;
      }
      const kept =
        results === message.results ? message : { ...message, results };
      screened.send.push({
        message: kept,
        list: message.listId
          ? this.linkFor(message, message.listId, baseUrl, context)
          : undefined,
      });
    }
    return screened;
  }

  private linkFor(
    message: ClaimedMessage,
    listId: string,
    baseUrl: string,
    context: ScreenContext,
  ): ListLink {
    // List mail has one recipient: the link is theirs alone.
    const [address] = envelopeAddresses(message.recipients);
    const token = this.deps.tokens.issue({
      tenantId: message.tenantId,
      listId,
      address,
      campaignId: message.campaignId,
    });
    return {
      tenantId: message.tenantId,
      listId,
      unsubscribeUrl: `${baseUrl}/${token}`,
      mailbox: context.unsubscribeMailbox,
    };
  }
}

/** The message's results with its suppressed waiting recipients marked; the same object when there are none. */
function withSuppressed(
  message: ClaimedMessage,
  byAddress: Map<string, Suppression[]>,
): RecipientResults {
  const kind = message.listId ? 'bulk' : 'transactional';
  let results = message.results;
  for (const address of pendingAddresses(message.recipients, message.results)) {
    const deciding = (byAddress.get(suppressionKey(address)) ?? []).find(s =>
      blocks(s, kind, message.listId),
    );
    if (!deciding) continue;
    if (results === message.results) results = { ...message.results };
    results[resultKey(address)] = {
      state: 'suppressed',
      suppression: toRecipientSuppression(deciding),
    };
  }
  return results;
}

/**
 * The final outcome of a message nobody is left to send to: delivered if
 * an earlier attempt reached someone, failed if someone refused it for good
 * and nobody got it, otherwise suppressed.
 */
function nobodyLeft(
  message: ClaimedMessage,
  results: RecipientResults,
  from: string,
): DeliveryOutcome {
  const states = Object.values(results).map(r => r.state);
  if (states.includes('sent')) {
    return {
      kind: 'delivered',
      id: message.id,
      state: states.includes('failed') ? 'partial' : 'sent',
      messageId: messageIdOf(message.id, from),
      results,
    };
  }
  const refused = Object.values(results).find(r => r.state === 'failed');
  if (refused) {
    return {
      kind: 'failed',
      id: message.id,
      reply: refused.reply ?? NOBODY_GOT_IT,
      results,
    };
  }
  return { kind: 'suppressed', id: message.id, results };
}
