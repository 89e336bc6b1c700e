import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { InputError, isError } from '@backstage/errors';
import {
  BulkMailTemplate,
  BulkRecipient,
  DeliveryStatus,
  FINAL_DELIVERY_STATES,
  findMailMessageProblems,
  isIdempotencyKey,
  isListId,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_MESSAGES_PER_BATCH,
  MailDeliveryError,
  MailMessage,
} from '@elixeum/plugin-mailer-common';
import { randomUUID } from 'node:crypto';
import { SerializedError } from '@backstage/errors';
import { asOwnError, HttpMailerBackend } from './HttpMailerBackend';
import { MailerBackendApi, MailerSenderQuery } from './MailerBackendApi';
import { MailerInProcessBackend } from './mailerInProcessBackend';
import {
  MailerSendItem,
  MailerSendManyResult,
  MailerSendOptions,
  MailerService,
  QueuedCampaign,
} from './MailerService';
import { MailerUnavailableError } from './MailerUnavailableError';
import { toWireMessage } from './wireMessage';

/**
 * The plugin id the mailer backend is installed under.
 *
 * @public
 */
export const MAILER_PLUGIN_ID = 'mailer';

/** Recipients per request while streaming a bulk mailing to the backend. */
const RECIPIENT_BATCH = 1000;
/** Recipient batches sent at once; memory stays bounded by this many batches. */
const BATCHES_IN_FLIGHT = 2;
/** How long one status request may wait on the backend. */
const STATUS_POLL_MS = 20_000;
/** Tries of one idempotent request (a send, a recipient batch) when the backend is unreachable or fails. */
const TRIES = 3;

const isFinal = (status: DeliveryStatus) =>
  FINAL_DELIVERY_STATES.includes(status.state);

/**
 * The default `MailerService`: calls the mailer backend directly when it
 * runs in the same backend (see `mailerInProcessBackendServiceRef`), and
 * otherwise over HTTP with a plugin-to-plugin token, so the calling plugin
 * needs no access to the mailer's database and may run in another backend.
 * Either way the backend applies the same checks.
 *
 * @public
 */
export class MailerClient implements MailerService {
  private readonly http: HttpMailerBackend;

  constructor(
    private readonly deps: {
      discovery: DiscoveryService;
      auth: AuthService;
      inProcess?: MailerInProcessBackend;
    },
  ) {
    this.http = new HttpMailerBackend(deps);
  }

  async send(
    message: MailMessage,
    options?: MailerSendOptions,
  ): Promise<{ id: string }> {
    const { request, idempotencyKey } = sendRequest({ message, options });
    // Tried again with the same key: a first try whose answer was lost
    // (a timeout, a dropped connection) was queued, and is not queued twice.
    return this.withRetries(() =>
      this.call((backend, caller) =>
        backend.sendMessage(caller, request, idempotencyKey),
      ),
    );
  }

  async sendMany(items: MailerSendItem[]): Promise<MailerSendManyResult[]> {
    const results: MailerSendManyResult[] = new Array(items.length);
    let batch: Array<{ index: number; request: SendRequest }> = [];
    const flush = async () => {
      const requests = batch.map(b => b.request);
      // Every message keeps its key: a repeated request queues nothing twice.
      const answers = await this.withRetries(() =>
        this.call((backend, caller) => backend.sendMessages(caller, requests)),
      );
      batch.forEach(({ index }, i) => {
        results[index] = resultOf(answers[i]);
      });
      batch = [];
    };
    for (const [index, item] of items.entries()) {
      let request: SendRequest;
      try {
        request = sendRequest(item);
      } catch (error) {
        results[index] = { error: error as Error };
        continue;
      }
      if (batch.length === MAX_MESSAGES_PER_BATCH) await flush();
      batch.push({ index, request });
    }
    if (batch.length > 0) await flush();
    return results;
  }

  async sendBulk(
    template: BulkMailTemplate,
    recipients: Iterable<BulkRecipient> | AsyncIterable<BulkRecipient>,
    options?: MailerSendOptions,
  ): Promise<QueuedCampaign> {
    assertListId(options?.listId);
    const sender: Sender = {
      tenantId: options?.tenantId,
      forUser: options?.forUser,
    };
    const { campaignId } = await this.call((backend, caller) =>
      backend.createCampaign(caller, {
        ...sender,
        priority: options?.priority,
        listId: options?.listId,
        template: toWireMessage(template),
      }),
    );
    let accepted = 0;
    let suppressed = 0;
    let seq = 0;
    let batch: BulkRecipient[] = [];
    // Two batches on their way at once: the next is read and sent while the
    // backend stores the last. Each has its seq, so order does not matter.
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    const flush = async () => {
      const sending = this.addBatch(campaignId, sender, seq, batch).then(
        n => {
          accepted += n.accepted;
          suppressed += n.suppressed;
        },
        error => {
          failure ??= error;
        },
      );
      seq += 1;
      batch = [];
      inFlight.add(sending);
      sending.finally(() => inFlight.delete(sending));
      if (inFlight.size >= BATCHES_IN_FLIGHT) await Promise.race(inFlight);
      if (failure) throw failure;
    };
    try {
      for await (const recipient of recipients) {
        batch.push(recipient);
        if (batch.length === RECIPIENT_BATCH) await flush();
      }
      if (batch.length > 0) await flush();
      await Promise.all(inFlight);
      if (failure) throw failure;
    } catch (error) {
      await Promise.all(inFlight);
      // Half a mailing is worse than none: withdraw what was queued.
      await this.cancel(campaignId, sender);
      throw error;
    }
    return { campaignId, accepted, suppressed };
  }

  // Public signatures spell out the sender type, as MailerService does, so the
  // package's API names no private type.
  getStatus(
    id: string,
    options?: Pick<MailerSendOptions, 'tenantId' | 'forUser'>,
  ): Promise<DeliveryStatus> {
    return this.call((backend, caller) =>
      backend.getStatus(caller, id, senderOf(options)),
    );
  }

  async waitForDelivery(
    id: string,
    options?: { timeoutMs?: number } & Pick<
      MailerSendOptions,
      'tenantId' | 'forUser'
    >,
  ): Promise<DeliveryStatus> {
    const deadline = Date.now() + (options?.timeoutMs ?? 60_000);
    for (;;) {
      const waitMs = Math.max(
        0,
        Math.min(STATUS_POLL_MS, deadline - Date.now()),
      );
      const status = await this.call((backend, caller) =>
        backend.getStatus(caller, id, { ...senderOf(options), waitMs }),
      );
      if (status.state === 'failed') {
        throw new MailDeliveryError(
          `Mail ${id} could not be delivered: ${status.lastReply?.response ?? 'no reply'}`,
          status.lastReply ?? {},
        );
      }
      if (isFinal(status) || Date.now() >= deadline) return status;
    }
  }

  /** Queues one batch, trying again (with the same `seq`, so never twice) when the backend fails. */
  private addBatch(
    campaignId: string,
    sender: Sender,
    seq: number,
    recipients: BulkRecipient[],
  ): Promise<{ accepted: number; suppressed: number }> {
    return this.withRetries(async () => {
      const result = await this.call((backend, caller) =>
        backend.addRecipients(caller, campaignId, {
          ...sender,
          seq,
          recipients,
        }),
      );
      return { accepted: result.accepted, suppressed: result.suppressed ?? 0 };
    });
  }

  /** Runs an idempotent request again while the backend is unavailable, a few times. */
  private async withRetries<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof MailerUnavailableError) || attempt >= TRIES) {
          throw error;
        }
        await new Promise(resolve => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  private async cancel(campaignId: string, sender: Sender): Promise<void> {
    try {
      await this.withRetries(() =>
        this.call((backend, caller) =>
          backend.cancelCampaign(caller, campaignId, senderOf(sender)),
        ),
      );
    } catch {
      // The caller hears of the original failure; an unreachable backend
      // cannot be told to cancel either.
    }
  }

  /**
   * Runs an operation on the mailer backend of this backend instance when
   * there is one, otherwise over HTTP, as this plugin.
   */
  private async call<T>(
    operation: (
      backend: MailerBackendApi,
      caller: BackstageCredentials,
    ) => Promise<T>,
  ): Promise<T> {
    const caller = await this.deps.auth.getOwnServiceCredentials();
    const local = this.deps.inProcess?.get();
    if (!local) return operation(this.http, caller);
    try {
      return await operation(local, caller);
    } catch (error) {
      throw asCallerError(error);
    }
  }
}

/**
 * An error of the in-process backend as the HTTP path would report it: a
 * client error as this package's own class, anything else (already logged
 * by the backend, without content) as a reason to try again.
 */
function asCallerError(error: unknown): Error {
  if (!isError(error)) return new MailerUnavailableError('The mailer failed');
  if (error instanceof MailerUnavailableError) return error;
  return (
    asOwnError(error.name, error.message) ??
    new MailerUnavailableError(`The mailer backend failed; try again`)
  );
}

/** Fails fast in the caller's process, by the rule the backend applies. */
/** A send as the backend takes it, checked here first with the same rules the backend applies. */
interface SendRequest {
  request: unknown;
  idempotencyKey: string;
}

function sendRequest({ message, options }: MailerSendItem): SendRequest {
  const problems = findMailMessageProblems(message);
  if (problems.length > 0) {
    throw new InputError(`Invalid mail message: ${problems.join('; ')}`);
  }
  assertListId(options?.listId);
  const idempotencyKey = options?.idempotencyKey ?? randomUUID();
  if (!isIdempotencyKey(idempotencyKey)) {
    throw new InputError(
      `Invalid idempotencyKey: it must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`,
    );
  }
  return {
    idempotencyKey,
    request: {
      tenantId: options?.tenantId,
      forUser: options?.forUser,
      priority: options?.priority,
      listId: options?.listId,
      message: toWireMessage(message),
    },
  };
}

/** One message's answer from the backend, with a refusal as this package's own error class. */
function resultOf(
  answer: { id: string } | { error: SerializedError } | undefined,
): MailerSendManyResult {
  if (answer && 'id' in answer) return { id: answer.id };
  const { name = 'Error', message = 'The mailer did not answer for it' } =
    answer?.error ?? {};
  return { error: asOwnError(name, message) ?? new Error(message) };
}

function assertListId(listId: string | undefined): void {
  if (listId !== undefined && !isListId(listId)) {
    throw new InputError(
      'Invalid listId: it must be 1 to 63 lower-case letters, digits and inner hyphens, e.g. release-news',
    );
  }
}

/** Whose tenant the mail is for: named, or the tenant of a user. */
type Sender = Pick<MailerSendOptions, 'tenantId' | 'forUser'>;

function senderOf(sender: Sender | undefined): MailerSenderQuery {
  return { tenantId: sender?.tenantId, forUser: sender?.forUser };
}
