import { SmtpReply } from '@elixeum/plugin-mailer-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { readDatabaseNow } from './databaseClock';
import { CAMPAIGNS, OUTBOX, replyColumns } from './outboxRows';

/** A test email the connection test sent (or tried to send) itself. */
export interface TestMessageRecord {
  tenantId: string;
  /** Who ran the test. */
  createdBy?: string;
  subject: string;
  to: string;
  outcome:
    | { state: 'sent'; messageId?: string }
    | { state: 'failed'; reply: SmtpReply };
}

/**
 * Test emails in the outbox, so the delivery view lists them beside the
 * mail the workers sent. The connection test sends them directly (a person
 * waits for the server's answer); they are written already sent or failed,
 * and a worker only takes waiting rows, so none is ever sent again.
 */
export class OutboxTestMessages {
  constructor(private readonly knex: Knex) {}

  /** Stores a test email as a `test` campaign with its one finished message. */
  async record(test: TestMessageRecord): Promise<void> {
    const campaignId = randomUUID();
    const { outcome } = test;
    await this.knex.transaction(async tx => {
      const now = await readDatabaseNow(tx);
      await tx(CAMPAIGNS).insert({
        id: campaignId,
        tenant_id: test.tenantId,
        priority: 0,
        kind: 'test',
        template: JSON.stringify({ subject: test.subject }),
        subject: test.subject,
        created_by: test.createdBy ?? null,
        created_at: now,
      });
      await tx(OUTBOX).insert({
        id: randomUUID(),
        campaign_id: campaignId,
        tenant_id: test.tenantId,
        priority: 0,
        recipients: JSON.stringify({ to: [test.to] }),
        state: outcome.state,
        attempts: 1,
        next_attempt_at: now,
        created_at: now,
        updated_at: now,
        ...(outcome.state === 'sent'
          ? {
              sent_at: now,
              smtp_message_id: outcome.messageId?.slice(0, 255) ?? null,
            }
          : replyColumns(outcome.reply)),
      });
    });
  }
}
