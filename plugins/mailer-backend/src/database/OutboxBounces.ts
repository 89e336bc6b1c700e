import { SmtpReply } from '@elixeum/plugin-mailer-common';
import { Knex } from 'knex';
import { databaseNow, engineOf } from './databaseClock';
import {
  envelopeAddresses,
  OUTBOX,
  parseRecipients,
  parseResults,
  RecipientResults,
  replyColumns,
  resultKey,
  Row,
} from './outboxRows';

/** An outbox message a bounce is about, as the bounce intake needs it. */
export interface BouncedMessage {
  id: string;
  tenantId: string;
  campaignId: string;
  /** Its list; undefined for transactional mail. */
  listId?: string;
  /** Every recipient, in lower case. */
  addresses: string[];
}

/** How a recipient's bounce was written to its message's record. */
export type BounceWrite = 'recorded' | 'still-in-delivery' | 'gone';

/**
 * The outbox as bounces that arrive after delivery see it: the message a
 * report names, and its recipient's result changed from sent to failed
 * with the report's reply.
 */
export class OutboxBounces {
  constructor(private readonly knex: Knex) {}

  /** The message with this outbox id, or undefined (never sent, or purged). */
  async find(id: string): Promise<BouncedMessage | undefined> {
    const row: Row | undefined = await this.knex(OUTBOX)
      .where({ id })
      .first('id', 'tenant_id', 'campaign_id', 'list_id', 'recipients');
    if (!row) return undefined;
    const recipients = parseRecipients(row.recipients) ?? { to: [] };
    return {
      id: row.id,
      tenantId: row.tenant_id,
      campaignId: row.campaign_id,
      ...(row.list_id && { listId: row.list_id }),
      addresses: envelopeAddresses(recipients).map(resultKey),
    };
  }

  /**
   * Records that `address` bounced: its result becomes failed with
   * `reply`, and the message `partial` (others got it) or `failed`. Only a
   * message whose delivery is over is changed; one still being delivered
   * keeps its record (the report still counts for the suppression list).
   */
  async recordBounce(
    id: string,
    address: string,
    reply: SmtpReply,
  ): Promise<BounceWrite> {
    return this.knex.transaction(async tx => {
      const query = tx(OUTBOX)
        .where({ id })
        .first('state', 'recipients', 'recipient_results');
      const row: Row | undefined = await (engineOf(tx) === 'sqlite'
        ? query
        : query.forUpdate());
      if (!row) return 'gone';
      if (row.state !== 'sent' && row.state !== 'partial') {
        return row.state === 'failed' ? 'recorded' : 'still-in-delivery';
      }
      const recipients = parseRecipients(row.recipients) ?? { to: [] };
      const stored = parseResults(row.recipient_results);
      // An empty record of a sent message means every recipient got it.
      const results: RecipientResults = Object.fromEntries(
        envelopeAddresses(recipients).map(a => [
          resultKey(a),
          stored[resultKey(a)] ?? { state: 'sent' },
        ]),
      );
      results[resultKey(address)] = { state: 'failed', reply };
      const anySent = Object.values(results).some(r => r.state === 'sent');
      await tx(OUTBOX)
        .where({ id })
        .update({
          state: anySent ? 'partial' : 'failed',
          recipient_results: JSON.stringify(results),
          updated_at: databaseNow(tx),
          ...(anySent ? {} : replyColumns(reply)),
        });
      return 'recorded';
    });
  }
}
