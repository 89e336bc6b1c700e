import { createApiRef } from '@backstage/core-plugin-api';
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

/**
 * What the mailer backend offers the frontend: the tenant's settings and their test.
 *
 * @public
 */
export interface MailerApi {
  /** The tenant's settings (secrets only as "set") and which server mail goes through. */
  getSettings(): Promise<NotificationSettingsResponse>;
  /** Applies a change in one step: a string sets a key, null removes it, absent keys stay. */
  updateSettings(
    request: SettingsUpdateRequest,
  ): Promise<NotificationSettingsResponse>;
  /** Removes one key. */
  removeSetting(key: string): Promise<NotificationSettingsResponse>;
  /** Which server the tenant's mail goes through now. */
  getStatus(): Promise<MailerStatus>;
  /** Who recently changed which settings keys and tested the connection, newest first. */
  getSettingsHistory(): Promise<SettingsHistoryResponse>;
  /** Connects to the SMTP server with the given (or saved) settings, optionally sending a test message. */
  testConnection(request: ConnectionTestRequest): Promise<ConnectionTestResult>;
  /**
   * Reads the SPF, DKIM and DMARC records of the sender of the given (or
   * saved) settings: whether its mail can reach the inbox.
   */
  checkSender(request: SenderCheckRequest): Promise<SenderCheckResult>;
  /** The tenant's latest mailings with their counts per state, and the latest failed messages. */
  getDeliverySummary(): Promise<DeliverySummary>;
  /**
   * A page of the tenant's suppressed addresses, newest first; `search`
   * (which needs `mailer.settings.manage`) matches part of the address.
   */
  listSuppressions(request?: {
    search?: string;
    offset?: number;
    limit?: number;
  }): Promise<SuppressionListResponse>;
  /**
   * Takes an address off the suppression list for one list (or, without
   * `list`, for all bulk mail), so mail goes to it again. Recorded in the
   * settings history.
   */
  removeSuppression(request: {
    address: string;
    list?: string;
  }): Promise<SuppressedAddress>;
  /** The record to publish for the DKIM key the portal signs with, if any. */
  getDkimKey(): Promise<DkimKeyResponse>;
  /**
   * Makes a new 2048-bit DKIM key in the backend and stores it (the
   * private key never leaves it); answers the record to publish. Recorded
   * in the settings history.
   */
  generateDkimKey(request: DkimKeyRequest): Promise<DkimKeyResponse>;
  /** Recent delivery status notifications, or only those that matched no message. */
  listBounceReports(request?: {
    unmatchedOnly?: boolean;
  }): Promise<BounceReportsResponse>;
  /**
   * Calls `listener` after each successful change or connection test made
   * through this API (what the settings history records); returns a
   * function that stops the calls.
   */
  onSettingsChanged(listener: () => void): () => void;
}

/**
 * The API ref of the {@link MailerApi}.
 *
 * @public
 */
export const mailerApiRef = createApiRef<MailerApi>({
  id: 'plugin.mailer.service',
});
