import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ResponseError,
  SerializedError,
} from '@backstage/errors';
import {
  DeliveryStatus,
  IDEMPOTENCY_KEY_HEADER,
} from '@elixeum/plugin-mailer-common';
import { MailerBackendApi, MailerSenderQuery } from './MailerBackendApi';
import { MailerUnavailableError } from './MailerUnavailableError';

/** The plugin id the mailer backend is installed under. */
const MAILER_PLUGIN_ID = 'mailer';
/** Bytes of JSON one `POST /messages/batch` carries at most: well under the route's 25 MB. */
const BATCH_BYTES = 10 * 1024 * 1024;
/** Every request gives up after this (plus its long-poll wait), so a hung backend cannot hang the caller. */
const REQUEST_TIMEOUT_MS = 30_000;
/**
 * A token is used again for at most this long, and never in its last minute:
 * issuing one signs a JWT, which costs more than the rest of a small send.
 */
const TOKEN_REUSE_MS = 5 * 60_000;

/** When a JWT expires (epoch ms), or undefined if it cannot be read. */
function expiryOf(token: string): number | undefined {
  try {
    const payload = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    );
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The mailer backend's operations over HTTP, with a plugin-to-plugin token,
 * so the calling plugin may run in another backend.
 */
export class HttpMailerBackend implements MailerBackendApi {
  private cachedToken?: { token: string; renewAt: number };

  constructor(
    private readonly deps: { discovery: DiscoveryService; auth: AuthService },
  ) {}

  sendMessage(
    caller: BackstageCredentials,
    request: unknown,
    idempotencyKey: string,
  ): Promise<{ id: string }> {
    return this.request(caller, 'POST', '/messages', {
      body: request,
      headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey },
    });
  }

  /** Sends the messages in requests of at most `BATCH_BYTES` (a larger message goes alone). */
  async sendMessages(
    caller: BackstageCredentials,
    requests: Array<{ request: unknown; idempotencyKey: string }>,
  ): Promise<Array<{ id: string } | { error: SerializedError }>> {
    const results: Array<{ id: string } | { error: SerializedError }> = [];
    let batch: object[] = [];
    let bytes = 0;
    const flush = async () => {
      const answer = await this.request<{
        results: Array<{ id: string } | { error: SerializedError }>;
      }>(caller, 'POST', '/messages/batch', { body: { messages: batch } });
      results.push(...answer.results);
      batch = [];
      bytes = 0;
    };
    for (const { request, idempotencyKey } of requests) {
      const message = { ...(request as object), idempotencyKey };
      const size = Buffer.byteLength(JSON.stringify(message));
      if (batch.length > 0 && bytes + size > BATCH_BYTES) await flush();
      batch.push(message);
      bytes += size;
    }
    if (batch.length > 0) await flush();
    return results;
  }

  getStatus(
    caller: BackstageCredentials,
    id: string,
    query: MailerSenderQuery & { waitMs?: number },
  ): Promise<DeliveryStatus> {
    const { waitMs, ...sender } = query;
    return this.request(
      caller,
      'GET',
      withQuery(`/messages/${encodeURIComponent(id)}`, {
        ...(waitMs !== undefined && { waitMs: String(waitMs) }),
        ...sender,
      }),
      { waitMs },
    );
  }

  createCampaign(
    caller: BackstageCredentials,
    request: unknown,
  ): Promise<{ campaignId: string }> {
    return this.request(caller, 'POST', '/campaigns', { body: request });
  }

  addRecipients(
    caller: BackstageCredentials,
    campaignId: string,
    request: unknown,
  ): Promise<{ accepted: number; suppressed?: number }> {
    return this.request(
      caller,
      'POST',
      `/campaigns/${encodeURIComponent(campaignId)}/recipients`,
      { body: request },
    );
  }

  cancelCampaign(
    caller: BackstageCredentials,
    campaignId: string,
    query: MailerSenderQuery,
  ): Promise<{ withdrawn: number }> {
    return this.request(
      caller,
      'DELETE',
      withQuery(`/campaigns/${encodeURIComponent(campaignId)}`, { ...query }),
    );
  }

  private async request<T>(
    caller: BackstageCredentials,
    method: string,
    path: string,
    options: {
      body?: unknown;
      waitMs?: number;
      headers?: Record<string, string>;
    } = {},
  ): Promise<T> {
    const { body, waitMs = 0, headers } = options;
    const baseUrl = await this.deps.discovery.getBaseUrl(MAILER_PLUGIN_ID);
    const send = async (token: string) => {
      try {
        return await fetch(`${baseUrl}${path}`, {
          method,
          headers: {
            ...(body === undefined
              ? {}
              : { 'Content-Type': 'application/json' }),
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
    };
    let response = await send(await this.tokenFor(caller));
    if (response.status === 401 && this.cachedToken) {
      // A token we kept may have been made with a key since retired.
      this.cachedToken = undefined;
      response = await send(await this.tokenFor(caller));
    }
    if (!response.ok) {
      throw await toSendError(response);
    }
    return (await response.json()) as T;
  }

  /** A token for the mailer backend; the plugin's own one is kept a few minutes. */
  private async tokenFor(caller: BackstageCredentials): Promise<string> {
    const own = (caller.principal as { type?: string }).type === 'service';
    const cached = this.cachedToken;
    if (own && cached && Date.now() < cached.renewAt) return cached.token;
    const { token } = await this.deps.auth.getPluginRequestToken({
      onBehalfOf: caller,
      targetPluginId: MAILER_PLUGIN_ID,
    });
    const expiresAt = expiryOf(token);
    if (own && expiresAt !== undefined) {
      this.cachedToken = {
        token,
        renewAt: Math.min(expiresAt - 60_000, Date.now() + TOKEN_REUSE_MS),
      };
    }
    return token;
  }
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
  return asOwnError(error.body.error.name, error.body.error.message) ?? error;
}

/** A client error by its name, as this package's own Backstage error class. */
export function asOwnError(name: string, message: string): Error | undefined {
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
      return undefined;
  }
}
