import {
  findSettingKey,
  ConnectionTestRequest,
  ConnectionTestResult,
  DeliverySummary,
  MailerStatus,
  NotificationSettingsResponse,
  SettingsHistoryResponse,
  SettingsUpdateRequest,
  SettingView,
} from '@elixeum/plugin-mailer-common';
import { MailerApi } from '../api/MailerApi';
import { deliverySummary as noMail } from './deliverySummaries';

/** A MailerApi that answers from memory and records what the card sent. */
export class FakeMailerApi implements MailerApi {
  readonly updateRequests: SettingsUpdateRequest[] = [];
  readonly testRequests: ConnectionTestRequest[] = [];
  /** Set to make the next updates fail, as the server would. */
  updateError?: Error;
  testResult: ConnectionTestResult = {
    outcome: 'success',
    message: 'Connected and signed in.',
    messageSent: false,
    server: 'custom',
  };

  deliverySummary: DeliverySummary = noMail();
  /** Set to make the delivery summary fail, as the server would. */
  deliverySummaryError?: Error;
  /** How many times the delivery summary was asked for. */
  deliverySummaryRequests = 0;

  settingsHistory: SettingsHistoryResponse = { entries: [] };
  /** Set to make the settings history fail, as the server would. */
  settingsHistoryError?: Error;

  constructor(private settings: NotificationSettingsResponse) {}

  async getSettings() {
    return this.settings;
  }

  async updateSettings(request: SettingsUpdateRequest) {
    this.updateRequests.push(request);
    if (this.updateError) throw this.updateError;
    this.settings = {
      ...this.settings,
      settings: applyChange(this.settings, request),
    };
    return this.settings;
  }

  async removeSetting(): Promise<NotificationSettingsResponse> {
    throw new Error('The card saves removals with updateSettings');
  }

  async getStatus(): Promise<MailerStatus> {
    return this.settings.status;
  }

  async getSettingsHistory() {
    if (this.settingsHistoryError) throw this.settingsHistoryError;
    return this.settingsHistory;
  }

  async testConnection(request: ConnectionTestRequest) {
    this.testRequests.push(request);
    return this.testResult;
  }

  async getDeliverySummary() {
    this.deliverySummaryRequests += 1;
    if (this.deliverySummaryError) throw this.deliverySummaryError;
    return this.deliverySummary;
  }
}

// The server's rules in short: null removes, a blank secret keeps, a string sets.
function applyChange(
  current: NotificationSettingsResponse,
  { values }: SettingsUpdateRequest,
): SettingView[] {
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
