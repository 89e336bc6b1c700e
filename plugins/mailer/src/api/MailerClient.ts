import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  BounceReportsResponse,
  ConnectionTestRequest,
  ConnectionTestResult,
  DeliverySummary,
  DkimKeyRequest,
  DkimKeyResponse,
  MailerStatus,
  NotificationSettingsResponse,
  SenderCheckRequest,
  SenderCheckResult,
  SettingsHistoryResponse,
  SettingsUpdateRequest,
  SuppressedAddress,
  SuppressionListResponse,
} from '@elixeum/plugin-mailer-common';
import { MailerApi } from './MailerApi';
import { SettingsChangeSignal } from './SettingsChangeSignal';

/**
 * The {@link MailerApi} over HTTP, talking to the `mailer` backend plugin.
 *
 * @public
 */
export class MailerClient implements MailerApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;
  private readonly settingsChanged = new SettingsChangeSignal();

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getSettings(): Promise<NotificationSettingsResponse> {
    return this.request('/settings');
  }

  updateSettings(
    request: SettingsUpdateRequest,
  ): Promise<NotificationSettingsResponse> {
    return this.recorded(
      this.request('/settings', withJsonBody('PUT', request)),
    );
  }

  removeSetting(key: string): Promise<NotificationSettingsResponse> {
    return this.recorded(
      this.request(`/settings/${encodeURIComponent(key)}`, {
        method: 'DELETE',
      }),
    );
  }

  getStatus(): Promise<MailerStatus> {
    return this.request('/status');
  }

  getSettingsHistory(): Promise<SettingsHistoryResponse> {
    return this.request('/settings/history');
  }

  testConnection(
    request: ConnectionTestRequest,
  ): Promise<ConnectionTestResult> {
    return this.recorded(
      this.request('/connection-test', withJsonBody('POST', request)),
    );
  }

  checkSender(request: SenderCheckRequest): Promise<SenderCheckResult> {
    return this.request('/sender-check', withJsonBody('POST', request));
  }

  getDeliverySummary(): Promise<DeliverySummary> {
    return this.request('/delivery-summary');
  }

  listSuppressions(
    request: { search?: string; offset?: number; limit?: number } = {},
  ): Promise<SuppressionListResponse> {
    return this.request(
      withQuery('/suppressions', {
        q: request.search,
        offset: request.offset?.toString(),
        limit: request.limit?.toString(),
      }),
    );
  }

  removeSuppression(request: {
    address: string;
    list?: string;
  }): Promise<SuppressedAddress> {
    return this.recorded(
      this.request(
        withQuery('/suppressions', {
          address: request.address,
          list: request.list,
        }),
        { method: 'DELETE' },
      ),
    );
  }

  getDkimKey(): Promise<DkimKeyResponse> {
    return this.request('/dkim-key');
  }

  generateDkimKey(request: DkimKeyRequest): Promise<DkimKeyResponse> {
    return this.recorded(
      this.request('/dkim-key', withJsonBody('POST', request)),
    );
  }

  listBounceReports(
    request: { unmatchedOnly?: boolean } = {},
  ): Promise<BounceReportsResponse> {
    return this.request(
      withQuery('/bounce-reports', {
        unmatched: request.unmatchedOnly ? 'true' : undefined,
      }),
    );
  }

  onSettingsChanged(listener: () => void): () => void {
    return this.settingsChanged.subscribe(listener);
  }

  /** The answer to a request the backend records in the settings history, told to listeners once it is in. */
  private async recorded<T>(answer: Promise<T>): Promise<T> {
    const result = await answer;
    this.settingsChanged.emit();
    return result;
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('mailer');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      // Carries the server's error body, so the card can show its message.
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

/** A path with the query parameters that are set (and not empty). */
function withQuery(
  path: string,
  query: Record<string, string | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value) params.set(key, value);
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

function withJsonBody(method: string, body: unknown): RequestInit {
  return {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}
