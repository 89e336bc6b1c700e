import { InputError, NotFoundError } from '@backstage/errors';
import {
  addressOf,
  BulkMailTemplate,
  BulkRecipient,
  DeliveryStatus,
  DeliverySummary,
  findMailMessageProblems,
  isEmailAddress,
  MailMessage,
  MailPriority,
  toAddressList,
} from '@elixeum/plugin-mailer-common';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { OutboxStore } from '../database/OutboxStore';

/** The most recipients one `addRecipients` call takes; bulk clients send batches. */
export const MAX_RECIPIENTS_PER_BATCH = 1000;
const PRIORITY: Record<MailPriority, number> = { transactional: 0, bulk: 1 };
const FINAL_STATES = ['sent', 'failed'];

function assertValidMessage(message: unknown, what: string): void {
  const problems = findMailMessageProblems(message);
  if (problems.length > 0) {
    throw new InputError(`Invalid ${what}: ${problems.join('; ')}`);
  }
}

/** Who queues mail: the tenant, the calling plugin, and how urgent it is. */
export interface QueueOptions {
  tenantId: string;
  createdBy?: string;
  priority?: MailPriority;
}

/**
 * Accepts mail into the durable outbox: a message is committed before its
 * id is returned, and delivered in the background by the workers.
 */
export class MailQueue {
  constructor(
    private readonly outbox: OutboxStore,
    /** Called after mail is queued, so a local worker starts at once. */
    private readonly onQueued: () => void = () => {},
  ) {}

  /** Queues one message (transactional unless said otherwise) and returns its id. */
  async send(
    message: MailMessage,
    options: QueueOptions,
  ): Promise<{ id: string }> {
    assertValidMessage(message, 'mail message');
    const { to, cc, bcc, ...template } = message;
    const id = randomUUID();
    await this.outbox.createCampaign(
      this.newCampaign(template, options, 'transactional'),
      [
        {
          id,
          recipients: {
            to: toAddressList(to),
            cc: toAddressList(cc),
            bcc: toAddressList(bcc),
          },
        },
      ],
    );
    this.onQueued();
    return { id };
  }

  /** Stores the body of a mailing once; recipients follow with `addRecipients`. */
  async createCampaign(
    template: BulkMailTemplate,
    options: QueueOptions,
  ): Promise<{ campaignId: string }> {
    // Checked as a message with a stand-in recipient: the same rules apply.
    const { to, cc, bcc, ...body } = template as MailMessage;
    assertValidMessage(
      { ...body, to: 'recipient@example.com' },
      'mail template',
    );
    const campaign = this.newCampaign(body, options, 'bulk');
    await this.outbox.createCampaign(campaign);
    return { campaignId: campaign.id };
  }

  /** Queues one message per recipient of a campaign, in one transaction. */
  async addRecipients(
    campaignId: string,
    tenantId: string,
    recipients: BulkRecipient[],
  ): Promise<{ accepted: number }> {
    if (recipients.length > MAX_RECIPIENTS_PER_BATCH) {
      throw new InputError(
        `At most ${MAX_RECIPIENTS_PER_BATCH} recipients per request`,
      );
    }
    const campaign = await this.outbox.campaign(campaignId);
    if (!campaign || campaign.tenantId !== tenantId) {
      throw new NotFoundError(`No campaign ${campaignId}`);
    }
    recipients.forEach((recipient, index) => {
      if (!isEmailAddress(addressOf(recipient.to))) {
        throw new InputError(`recipients[${index}].to has an invalid address`);
      }
    });
    await this.outbox.addMessages(
      { ...campaign, template: undefined, now: Date.now() },
      recipients.map(r => ({
        id: randomUUID(),
        recipients: { to: [r.to] },
        variables: r.variables,
      })),
    );
    this.onQueued();
    return { accepted: recipients.length };
  }

  /** The tenant's recent campaigns and failures, for the card. */
  summary(tenantId: string): Promise<DeliverySummary> {
    return this.outbox.summary(tenantId);
  }

  async status(id: string): Promise<DeliveryStatus> {
    const status = await this.outbox.status(id);
    if (!status) throw new NotFoundError(`No queued message ${id}`);
    return status;
  }

  /** The status once it is final (sent or failed), or as it is when `waitMs` has passed. */
  async waitForFinalStatus(
    id: string,
    waitMs: number,
  ): Promise<DeliveryStatus> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const status = await this.status(id);
      if (FINAL_STATES.includes(status.state) || Date.now() >= deadline)
        return status;
      await delay(Math.min(100, Math.max(0, deadline - Date.now())));
    }
  }

  private newCampaign(
    template: BulkMailTemplate,
    options: QueueOptions,
    defaultPriority: MailPriority,
  ) {
    return {
      id: randomUUID(),
      tenantId: options.tenantId,
      priority: PRIORITY[options.priority ?? defaultPriority],
      template,
      createdBy: options.createdBy,
      now: Date.now(),
    };
  }
}
