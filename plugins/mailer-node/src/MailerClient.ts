import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ResponseError,
} from '@backstage/errors';
import {
  BulkMailTemplate,
  BulkRecipient,
  DeliveryStatus,
  FINAL_DELIVERY_STATES,
  findMailMessageProblems,
  IDEMPOTENCY_KEY_HEADER,
  isIdempotencyKey,
  isListId,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MailDeliveryError,
  MailMessage,
} from '@elixeum/plugin-mailer-common';
import { randomUUID } from 'node:crypto';
import {
  MailerSendOptions,
  MailerService,
  QueuedCampaign,
} from './MailerService';
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
/** Every request gives up after this (plus its long-poll wait), so a hung backend cannot hang the caller. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Tries of one idempotent request (a send, a recipient batch) when the backend is unreachable or fails. */
const TRIES = 3;

/**
 * The mailer backend could not be reached, timed out or failed (5xx, 429):
 * the request was fine and trying again later may work.
 *
 * @public
 */
export class MailerUnavailableError extends Error {
  name = 'MailerUnavailableError' as const;
}

const isFinal = (status: DeliveryStatus) =>
  FINAL_DELIVERY_STATES.includes(status.state);

/**
 * The default `MailerService`: calls the mailer backend over HTTP with a
 * plugin-to-plugin token, so the calling plugin needs no access to the
 * mailer's database and may run in another backend.
 *
 * @public
 */
export class MailerClient implements MailerService {
  constructor(
    private readonly deps: { discovery: DiscoveryService; auth: AuthService },
  ) {}

  async send(
    message: MailMessage,
    options?: MailerSendOptions,
  ): Promise<{ id: string }> {
    // Fail fast in the caller's process with the same rules the backend applies.
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
    const body = {
      tenantId: options?.tenantId,
      forUser: options?.forUser,
      priority: options?.priority,
      listId: options?.listId,
      message: toWireMessage(message),
    };
    // Tried again with the same key: a first try whose answer was lost
    // (a timeout, a dropped connection) was queued, and is not queued twice.
    return this.withRetries(() =>
      this.request<{ id: string }>('POST', '/messages', {
        body,
        headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey },
      }),
    );
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
    const { campaignId } = await this.request<{ campaignId: string }>(
      'POST',
      '/campaigns',
      {
        body: {
          ...sender,
          priority: options?.priority,
          listId: options?.listId,
          template: toWireMessage(template),
        },
      },
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
    return this.request('GET', statusPath(id, senderQuery(options)));
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
      const status = await this.request<DeliveryStatus>(
        'GET',
        statusPath(id, { waitMs: String(waitMs), ...senderQuery(options) }),
        { waitMs },
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
      const result = await this.request<{
        accepted: number;
        suppressed?: number;
      }>('POST', `/campaigns/${encodeURIComponent(campaignId)}/recipients`, {
        body: { ...sender, seq, recipients },
      });
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
        this.request(
          'DELETE',
          withQuery(
            `/campaigns/${encodeURIComponent(campaignId)}`,
            senderQuery(sender),
          ),
        ),
      );
    } catch {
      // The caller hears of the original failure; an unreachable backend
      // cannot be told to cancel either.
    }
  }

  private async request<T>(
    method: string,
    path: string,
    options: {
      body?: unknown;
      waitMs?: number;
      headers?: Record<string, string>;
    } = {},
  ): Promise<T> {
    const { discovery, auth } = this.deps;
    const { body, waitMs = 0, headers } = options;
    const baseUrl = await discovery.getBaseUrl(MAILER_PLUGIN_ID);
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: MAILER_PLUGIN_ID,
    });
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...headers,
          Authorization: `Bearer ${token}`,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS + waitMs),
      });
    } catch (error) {
      throw new MailerUnavailableError(
        `The mailer backend did not answer ${method} ${path.split('?')[0]}: ${(error as Error).message}`,
      );
    }
    if (!response.ok) {
      throw await toSendError(response);
    }
    return (await response.json()) as T;
  }
}

/** Fails fast in the caller's process, by the rule the backend applies. */
function assertListId(listId: string | undefined): void {
  if (listId !== undefined && !isListId(listId)) {
    throw new InputError(
      'Invalid listId: it must be 1 to 63 lower-case letters, digits and inner hyphens, e.g. release-news',
    );
  }
}

/** Whose tenant the mail is for: named, or the tenant of a user. */
type Sender = Pick<MailerSendOptions, 'tenantId' | 'forUser'>;

function senderQuery(
  sender: Sender | undefined,
): Record<string, string | undefined> {
  return { tenantId: sender?.tenantId, forUser: sender?.forUser };
}

/** A route with only the query parameters that are set. */
function withQuery(
  path: string,
  query: Record<string, string | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, value);
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** The status route of a message. */
function statusPath(
  id: string,
  query: Record<string, string | undefined>,
): string {
  return withQuery(`/messages/${encodeURIComponent(id)}`, query);
}

/**
 * Rebuilds the backend's error as the same Backstage error class, so callers
 * can tell a malformed message or a refused tenant from other failures.
 * (SMTP refusals do not come this way: they arrive through `waitForDelivery`.)
 */
async function toSendError(response: Response): Promise<Error> {
  if (response.status >= 500 || response.status === 429) {
    return new MailerUnavailableError(
      `The mailer backend failed (${response.status}); try again`,
    );
  }
  const error = await ResponseError.fromResponse(response);
  const { name, message } = error.body.error;
  switch (name) {
    case 'InputError':
      return new InputError(message);
    case 'NotAllowedError':
      return new NotAllowedError(message);
    case 'NotFoundError':
      return new NotFoundError(message);
    case 'ConflictError':
      return new ConflictError(message);
    default:
      return error;
  }
}
