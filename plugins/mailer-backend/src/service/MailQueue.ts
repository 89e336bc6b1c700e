import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  addressOf,
  BulkMailTemplate,
  BulkRecipient,
  DeliveryPause,
  DeliveryStatus,
  DeliverySummary,
  FINAL_DELIVERY_STATES,
  findBulkRecipientProblems,
  findMailMessageProblems,
  MailMessage,
  MailPriority,
  toAddressList,
} from '@elixeum/plugin-mailer-common';
import { randomUUID } from 'node:crypto';
import { LruMap } from '../cache/LruMap';
import { OutboxQueue } from '../database/OutboxQueue';
import { OutboxReports } from '../database/OutboxReports';
import { SendKeys } from '../database/SendKeys';
import {
  SuppressionStore,
  suppressionKey,
  toRecipientSuppression,
} from '../database/SuppressionStore';
import { IdempotentSends } from './IdempotentSends';
import { defaultListOf } from './listIds';
import { maskDeliverySummary } from './maskRecipients';
import { MailerMetrics } from '../metrics/MailerMetrics';
import { ReplyExplanations } from './ReplyExplanations';
import { TemplateFields } from './TemplateFields';

/** The most recipients one `addRecipients` call takes; bulk clients send batches. */
export const MAX_RECIPIENTS_PER_BATCH = 1000;
const PRIORITY: Record<MailPriority, number> = { transactional: 0, bulk: 1 };
const FINAL_STATES: readonly string[] = FINAL_DELIVERY_STATES;
/** A waiting caller reads the database at most this often; `notifyFinished` wakes it sooner. */
export const STATUS_POLL_MS = 500;
/** Callers waiting for outcomes at once, per replica, by default. */
const MAX_WAITING = 1000;
/** Problems named in one refusal of a batch; the rest would only repeat them. */
const MAX_PROBLEMS_SHOWN = 10;
/** Campaigns whose template fields are kept in memory while their recipients arrive. */
const TEMPLATE_FIELDS_KEPT = 64;

function assertNoProblems(problems: string[]): void {
  if (problems.length === 0) return;
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN);
  const more = problems.length - shown.length;
  throw new InputError(
    `Invalid recipients: ${shown.join('; ')}${
      more > 0 ? `; and ${more} more` : ''
    }`,
  );
}

function assertValidMessage(message: unknown, what: string): void {
  const problems = findMailMessageProblems(message);
  if (problems.length > 0) {
    throw new InputError(`Invalid ${what}: ${problems.join('; ')}`);
  }
}

/** Whether a tenant's delivery is paused, and why (the delivery worker knows). */
export interface PauseLookup {
  of(tenantId: string): Promise<DeliveryPause | undefined>;
}

/** Who queues mail: the tenant, the calling plugin, and how urgent it is. */
export interface QueueOptions {
  tenantId: string;
  createdBy?: string;
  priority?: MailPriority;
  /**
   * The list the mail goes to, which makes it bulk mail with unsubscribe
   * headers. A mailing's defaults to the calling plugin's id; a single
   * message without one is transactional.
   */
  listId?: string;
}

/** A single send's options. */
export interface SendOptions extends QueueOptions {
  /**
   * The caller's idempotency key: the same key from the same caller
   * (`createdBy`) and tenant within 24 hours queues nothing more.
   */
  idempotencyKey?: string;
}

/**
 * Accepts mail into the durable outbox: a message is committed before its
 * id is returned, and delivered in the background by the workers.
 */
export class MailQueue {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly templateFields = new LruMap<string, TemplateFields>(
    TEMPLATE_FIELDS_KEPT,
  );

  private readonly sends: IdempotentSends;
  private waiting = 0;
  /** Set when the backend stops: nobody waits any more. */
  private stopped = false;

  constructor(
    private readonly outbox: {
      queue: OutboxQueue;
      reports: OutboxReports;
      pauses: PauseLookup;
      sendKeys: SendKeys;
      /** Recipients suppressed for a mailing's list are stored as such, not queued to send. */
      suppressions: Pick<SuppressionStore, 'suppressedAmong'>;
      /** What replies mean (e.g. a receiver's refusal of the sender), added as records are read. */
      explanations?: ReplyExplanations;
      /** Counts what is queued. */
      metrics?: Pick<MailerMetrics, 'queued'>;
    },
    private readonly limits: {
      /**
       * Callers that may wait for an outcome at once on this replica; more
       * are answered at once with the status as it is. Each waiter reads
       * the database every half second.
       */
      maxWaiting: number;
    } = { maxWaiting: MAX_WAITING },
  ) {
    this.sends = new IdempotentSends(outbox.sendKeys);
  }

  /** Calls `listener` after a tenant's mail was queued, so a local worker starts at once. */
  whenQueued(listener: (tenantId: string) => void): void {
    this.onQueued = listener;
  }

  private onQueued: (tenantId: string) => void = () => {};

  /**
   * Queues one message (transactional unless said otherwise) and returns its
   * id. With an idempotency key already used for this message, returns the
   * first one's id and queues nothing (`ConflictError` for another message).
   */
  async send(
    message: MailMessage,
    options: SendOptions,
  ): Promise<{ id: string }> {
    assertValidMessage(message, 'mail message');
    const { to, cc, bcc, ...template } = message;
    if (
      options.listId !== undefined &&
      (toAddressList(to).length !== 1 || cc !== undefined || bcc !== undefined)
    ) {
      // Its unsubscribe link and headers can name one recipient only.
      throw new InputError(
        'Invalid mail message: a message to a list (listId) has exactly one recipient, in "to"',
      );
    }
    const campaign = this.newCampaign(template, options, 'single');
    const id = randomUUID();
    const messages = [
      {
        id,
        recipients: {
          to: toAddressList(to),
          cc: toAddressList(cc),
          bcc: toAddressList(bcc),
        },
      },
    ];
    if (options.idempotencyKey === undefined) {
      await this.outbox.queue.createCampaign(campaign, messages);
      this.outbox.metrics?.queued(campaign.priority, 1);
      this.onQueued(options.tenantId);
      return { id };
    }
    const sent = await this.sends.once(
      {
        tenantId: options.tenantId,
        caller: options.createdBy ?? '',
        key: options.idempotencyKey,
        request: {
          message,
          priority: campaign.priority,
          listId: campaign.listId,
        },
      },
      id,
      sendKey => this.outbox.queue.createCampaign(campaign, messages, sendKey),
    );
    if (sent.queued) {
      this.outbox.metrics?.queued(campaign.priority, 1);
      this.onQueued(options.tenantId);
    }
    return { id: sent.id };
  }

  /** Stores the body of a mailing once; recipients follow with `addRecipients`. */
  async createCampaign(
    template: BulkMailTemplate,
    options: QueueOptions,
  ): Promise<{ campaignId: string }> {
    if (typeof template !== 'object' || template === null) {
      throw new InputError('Invalid mail template: it must be an object');
    }
    const { to, cc, bcc, ...body } = template as MailMessage;
    if (to !== undefined || cc !== undefined || bcc !== undefined) {
      throw new InputError(
        'Invalid mail template: a template has no recipients; add them to the campaign',
      );
    }
    // Checked as a message with a stand-in recipient: the same rules apply.
    assertValidMessage(
      { ...body, to: 'recipient@example.com' },
      'mail template',
    );
    const campaign = this.newCampaign(body, options, 'bulk');
    await this.outbox.queue.createCampaign(campaign);
    return { campaignId: campaign.id };
  }

  /**
   * Queues one message per recipient of a campaign, in one transaction.
   * A batch with a `seq` the campaign already has is not queued again.
   */
  async addRecipients(
    campaignId: string,
    tenantId: string,
    recipients: BulkRecipient[],
    seq?: number,
  ): Promise<{ accepted: number; suppressed: number }> {
    if (recipients.length > MAX_RECIPIENTS_PER_BATCH) {
      throw new InputError(
        `At most ${MAX_RECIPIENTS_PER_BATCH} recipients per request`,
      );
    }
    // The same rules as send(): a recipient is a message's "to".
    assertNoProblems(
      recipients.flatMap((recipient, index) =>
        findBulkRecipientProblems(recipient, `recipients[${index}]`),
      ),
    );
    const campaign = await this.campaignOf(campaignId, tenantId);
    // Also refused by addMessages, in its transaction: a cancel may come between.
    if (campaign.cancelled) {
      throw new ConflictError(`Campaign ${campaignId} was cancelled`);
    }
    // And the rules of the message each becomes once personalised.
    const fields = await this.templateFieldsOf(campaignId);
    assertNoProblems(
      recipients.flatMap((recipient, index) =>
        fields.problemsOf(recipient.variables, `recipients[${index}]`),
      ),
    );
    // Checked again when each message is claimed: an address may leave the
    // list while the mailing is on its way.
    const suppressed = campaign.listId
      ? await this.outbox.suppressions.suppressedAmong(
          tenantId,
          recipients.map(r => addressOf(r.to)),
          campaign.listId,
          'bulk',
        )
      : new Map();
    const result = await this.outbox.queue.addMessages(
      campaign,
      recipients.map(r => {
        const suppression = suppressed.get(suppressionKey(addressOf(r.to)));
        return {
          id: randomUUID(),
          recipients: { to: [r.to] },
          variables: r.variables,
          suppression: suppression && toRecipientSuppression(suppression),
        };
      }),
      seq,
    );
    if (!result.repeated) {
      const { priority } = campaign;
      this.outbox.metrics?.queued(priority, result.accepted, result.suppressed);
    }
    this.onQueued(tenantId);
    return { accepted: result.accepted, suppressed: result.suppressed };
  }

  /** Withdraws a campaign: its waiting messages are deleted, no more can be added. */
  async cancelCampaign(
    campaignId: string,
    tenantId: string,
  ): Promise<{ withdrawn: number }> {
    await this.campaignOf(campaignId, tenantId);
    return { withdrawn: await this.outbox.queue.cancelCampaign(campaignId) };
  }

  /**
   * The tenant's recent campaigns and failures, and any pause, for the card.
   * Recipient addresses are masked unless `revealRecipients` (the caller
   * manages the settings).
   */
  async summary(
    tenantId: string,
    options: { revealRecipients: boolean },
  ): Promise<DeliverySummary> {
    const [found, pause] = await Promise.all([
      this.outbox.reports.summary(tenantId),
      this.outbox.pauses.of(tenantId),
    ]);
    const explained =
      (await this.outbox.explanations?.summary(tenantId, found)) ?? found;
    const summary = pause ? { pause, ...explained } : explained;
    return options.revealRecipients ? summary : maskDeliverySummary(summary);
  }

  /** A message's delivery record; 404 for an unknown id or another tenant's message. */
  async status(id: string, tenantId: string): Promise<DeliveryStatus> {
    const found = await this.outbox.reports.status(id);
    if (!found || found.tenantId !== tenantId) {
      throw new NotFoundError(`No queued message ${id}`);
    }
    return (
      (await this.outbox.explanations?.status(tenantId, found.status)) ??
      found.status
    );
  }

  /**
   * The status once it is final, or as it is when `waitMs` has passed. The
   * database is read at most every 500 ms; an outcome recorded on this
   * replica answers at once. When too many callers wait already, answers
   * at once, so that waits cannot be piled up against the database.
   */
  async waitForFinalStatus(
    id: string,
    tenantId: string,
    waitMs: number,
  ): Promise<DeliveryStatus> {
    const mayWait = !this.stopped && this.waiting < this.limits.maxWaiting;
    const deadline = Date.now() + (mayWait ? waitMs : 0);
    this.waiting += 1;
    try {
      for (;;) {
        const status = await this.status(id, tenantId);
        const left = deadline - Date.now();
        if (FINAL_STATES.includes(status.state) || left <= 0 || this.stopped) {
          return status;
        }
        await this.finishedOrAfter(id, Math.min(STATUS_POLL_MS, left));
      }
    } finally {
      this.waiting -= 1;
    }
  }

  /**
   * Answers every waiting caller at once with the status as it is, and
   * every later one without waiting: the backend is stopping, and a
   * request held open would hold up its shutdown.
   */
  stopWaiting(): void {
    this.stopped = true;
    for (const id of [...this.waiters.keys()]) this.notifyFinished(id);
  }

  /**
   * Wakes the callers waiting for this message, because its outcome was just
   * recorded. Called by the delivery worker of this replica; waiters on other
   * replicas find out at their next poll.
   */
  notifyFinished(id: string): void {
    const waiting = this.waiters.get(id);
    if (!waiting) return;
    this.waiters.delete(id);
    for (const wake of waiting) wake();
  }

  private finishedOrAfter(id: string, ms: number): Promise<void> {
    return new Promise<void>(resolve => {
      const waiters = this.waiters.get(id) ?? new Set();
      const timer = setTimeout(() => wake(), ms);
      function wake() {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      }
      waiters.add(wake);
      this.waiters.set(id, waiters);
    }).finally(() => {
      const waiters = this.waiters.get(id);
      if (waiters?.size === 0) this.waiters.delete(id);
    });
  }

  /** How the campaign's template uses its fields, read once per campaign. */
  private async templateFieldsOf(campaignId: string): Promise<TemplateFields> {
    let fields = this.templateFields.use(campaignId);
    if (!fields) {
      const body = (await this.outbox.queue.bodies([campaignId])).get(
        campaignId,
      );
      fields = TemplateFields.of(body ? JSON.parse(body) : { subject: '' });
      this.templateFields.set(campaignId, fields);
    }
    return fields;
  }

  private async campaignOf(campaignId: string, tenantId: string) {
    const campaign = await this.outbox.queue.campaign(campaignId);
    if (!campaign || campaign.tenantId !== tenantId) {
      throw new NotFoundError(`No campaign ${campaignId}`);
    }
    return campaign;
  }

  /** A single message is transactional, a mailing bulk, unless the caller says otherwise. */
  private newCampaign(
    template: BulkMailTemplate,
    options: QueueOptions,
    kind: 'single' | 'bulk',
  ) {
    const defaultPriority: MailPriority =
      kind === 'single' ? 'transactional' : 'bulk';
    return {
      id: randomUUID(),
      tenantId: options.tenantId,
      priority: PRIORITY[options.priority ?? defaultPriority],
      kind,
      listId:
        options.listId ??
        (kind === 'bulk' ? defaultListOf(options.createdBy) : undefined),
      template,
      createdBy: options.createdBy,
    };
  }
}
