import {
  findSecretsNoLongerUsed,
  findSettingKey,
  BounceReportsResponse,
  ConnectionTestRequest,
  ConnectionTestResult,
  DeliverySummary,
  DkimKeyRecord,
  DkimKeyRequest,
  MailerStatus,
  NotificationSettingsResponse,
  SenderCheckRequest,
  SenderCheckResult,
  SettingsHistoryResponse,
  SettingsUpdateRequest,
  SettingView,
  SuppressedAddress,
} from '@elixeum/plugin-mailer-common';
import { MailerApi } from '../api/MailerApi';
import { SettingsChangeSignal } from '../api/SettingsChangeSignal';
import { deliverySummary as noMail } from './deliverySummaries';
import { senderCheckResult } from './senderChecks';

/** A MailerApi that answers from memory and records what the card sent. */
export class FakeMailerApi implements MailerApi {
  readonly updateRequests: SettingsUpdateRequest[] = [];
  readonly testRequests: ConnectionTestRequest[] = [];
  /** Set to make the next updates fail, as the server would. */
  updateError?: Error;
  /** Set to make the next connection tests fail, as the server would (e.g. a 400 naming a key). */
  testError?: Error;
  testResult: ConnectionTestResult = {
    outcome: 'success',
    message: 'Connected and signed in.',
    messageSent: false,
    server: 'custom',
  };

  readonly senderCheckRequests: SenderCheckRequest[] = [];
  /** What the sender check answers; a function answers each request on its own. */
  senderCheck:
    | SenderCheckResult
    | ((
        request: SenderCheckRequest,
      ) => SenderCheckResult | Promise<SenderCheckResult>) =
    senderCheckResult();
  /** Set to make the sender check fail, as the server would. */
  senderCheckError?: Error;

  deliverySummary: DeliverySummary = noMail();
  /** Set to make the delivery summary fail, as the server would. */
  deliverySummaryError?: Error;
  /** How many times the delivery summary was asked for. */
  deliverySummaryRequests = 0;

  settingsHistory: SettingsHistoryResponse = { entries: [] };
  /** Set to make the settings history fail, as the server would. */
  settingsHistoryError?: Error;

  /** How many times the settings history was asked for. */
  settingsHistoryRequests = 0;

  /** The suppression list, newest first, with addresses in full. */
  suppressions: SuppressedAddress[] = [];
  /** What the card asked for, in order. */
  readonly suppressionRequests: Array<{ search?: string; offset?: number }> =
    [];
  readonly removedSuppressions: Array<{ address: string; list?: string }> = [];
  /** Whether the reader sees addresses masked, as one who may not manage the settings. */
  suppressionsMasked = false;

  /** The stored DKIM key's record; `generateDkimKey` replaces it. */
  dkimKey?: DkimKeyRecord;
  readonly dkimKeyRequests: DkimKeyRequest[] = [];

  /** What the delivery view reads of the bounce reports. */
  bounceReports: BounceReportsResponse = {
    items: [],
    unmatched: 0,
    masked: false,
  };
  /** Set to make the bounce reports fail, as the server would. */
  bounceReportsError?: Error;

  private readonly settingsChanged = new SettingsChangeSignal();

  constructor(private settings: NotificationSettingsResponse) {}

  async getSettings() {
    return this.settings;
  }

  async updateSettings(request: SettingsUpdateRequest) {
    this.updateRequests.push(request);
    if (this.updateError) throw this.updateError;
    const settings = applyChange(this.settings, request);
    this.settings = {
      settings,
      status: withReadableSecrets(this.settings.status, request, settings),
    };
    this.settingsChanged.emit();
    return this.settings;
  }

  async removeSetting(): Promise<NotificationSettingsResponse> {
    throw new Error('The card saves removals with updateSettings');
  }

  async getStatus(): Promise<MailerStatus> {
    return this.settings.status;
  }

  async getSettingsHistory() {
    this.settingsHistoryRequests += 1;
    if (this.settingsHistoryError) throw this.settingsHistoryError;
    return this.settingsHistory;
  }

  async testConnection(request: ConnectionTestRequest) {
    this.testRequests.push(request);
    if (this.testError) throw this.testError;
    this.settingsChanged.emit();
    return this.testResult;
  }

  async checkSender(request: SenderCheckRequest) {
    this.senderCheckRequests.push(request);
    if (this.senderCheckError) throw this.senderCheckError;
    const { senderCheck } = this;
    return typeof senderCheck === 'function'
      ? senderCheck(request)
      : senderCheck;
  }

  async getDeliverySummary() {
    this.deliverySummaryRequests += 1;
    if (this.deliverySummaryError) throw this.deliverySummaryError;
    return this.deliverySummary;
  }

  async listSuppressions(
    request: { search?: string; offset?: number; limit?: number } = {},
  ) {
    this.suppressionRequests.push({
      search: request.search,
      offset: request.offset,
    });
    const matching = this.suppressions.filter(
      s => !request.search || s.address.includes(request.search.toLowerCase()),
    );
    const offset = request.offset ?? 0;
    const page = matching.slice(offset, offset + (request.limit ?? 50));
    return {
      items: this.suppressionsMasked
        ? page.map(s => ({
            ...s,
            address: `${s.address[0]}***${s.address.slice(s.address.indexOf('@'))}`,
          }))
        : page,
      total: matching.length,
      masked: this.suppressionsMasked,
    };
  }

  async removeSuppression(request: { address: string; list?: string }) {
    this.removedSuppressions.push(request);
    const removed = this.suppressions.find(
      s => s.address === request.address && s.list === request.list,
    );
    if (!removed)
      throw new Error('That address is not on the suppression list');
    this.suppressions = this.suppressions.filter(s => s !== removed);
    this.settingsChanged.emit();
    return removed;
  }

  async getDkimKey() {
    return this.dkimKey ? { key: this.dkimKey } : {};
  }

  async generateDkimKey(request: DkimKeyRequest) {
    this.dkimKeyRequests.push(request);
    const domain = request.domain ?? this.dkimKey?.domain ?? 'tenant.example';
    const selector = request.selector ?? 'portal-20261206';
    // Two strings, as a 2048-bit key's record needs.
    const value = `v=DKIM1; k=rsa; p=${'A'.repeat(380)}`;
    this.dkimKey = {
      domain,
      selector,
      name: `${selector}._domainkey.${domain}`,
      value,
      strings: [value.slice(0, 255), value.slice(255)],
      bits: 2048,
    };
    // Stored as the server stores it: the key as a secret, never shown.
    this.settings = {
      ...this.settings,
      settings: applyChange(this.settings, {
        values: {
          'SMTP.DKIM.Domain': domain,
          'SMTP.DKIM.Selector': selector,
          'SMTP.DKIM.PrivateKey': 'generated',
        },
      }),
    };
    this.settingsChanged.emit();
    return { key: this.dkimKey };
  }

  async listBounceReports(request: { unmatchedOnly?: boolean } = {}) {
    if (this.bounceReportsError) throw this.bounceReportsError;
    return request.unmatchedOnly
      ? {
          ...this.bounceReports,
          items: this.bounceReports.items.filter(r => r.outcome !== 'matched'),
        }
      : this.bounceReports;
  }

  onSettingsChanged(listener: () => void) {
    return this.settingsChanged.subscribe(listener);
  }
}

// The server's rules in short: null removes, a blank secret keeps, a string
// sets, and a stored secret the new settings no longer use is removed.
function applyChange(
  current: NotificationSettingsResponse,
  request: SettingsUpdateRequest,
): SettingView[] {
  const unused = findSecretsNoLongerUsed(request.values, {
    values: new Map(
      current.settings.flatMap(s =>
        s.value === undefined ? [] : [[s.key, s.value] as const],
      ),
    ),
    storedSecrets: new Set(
      current.settings.filter(s => s.secret).map(s => s.key),
    ),
  });
  const values = {
    ...request.values,
    ...Object.fromEntries(unused.map(key => [key, null])),
  };
  const kept = current.settings.filter(
    s => !(s.key in values) || values[s.key] === '',
  );
  const set = Object.entries(values).flatMap(([key, value]): SettingView[] => {
    if (value === null || value === '') return [];
    const secret = findSettingKey(key)?.secret ?? false;
    return [
      secret ? { key, set: true, secret } : { key, value, set: true, secret },
    ];
  });
  return [...kept, ...set];
}

// A secret entered again is stored under the current key; a removed one is gone.
function withReadableSecrets(
  status: MailerStatus,
  { values }: SettingsUpdateRequest,
  settings: SettingView[],
): MailerStatus {
  const { secretsWithMissingKey, ...rest } = status;
  const still = (secretsWithMissingKey ?? []).filter(
    ({ key }) => !values[key] && settings.some(s => s.key === key),
  );
  return still.length > 0 ? { ...rest, secretsWithMissingKey: still } : rest;
}

/** Settings with a complete custom SMTP server and a stored password. */
export const customServerSettings: NotificationSettingsResponse = {
  settings: [
    { key: 'SMTP.Server', value: 'smtp.example.com', set: true, secret: false },
    { key: 'SMTP.Port', value: '587', set: true, secret: false },
    {
      key: 'SMTP.Username',
      value: 'portal@example.com',
      set: true,
      secret: false,
    },
    { key: 'SMTP.Password', set: true, secret: true },
  ],
  status: { server: 'custom', missingKeys: [], sender: 'portal@example.com' },
};
