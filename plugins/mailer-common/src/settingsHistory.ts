import { ConnectionTestOutcome } from './connectionTest';
import { SuppressionReason } from './suppression';

/**
 * A saved change of a tenant's settings: which keys, never their values.
 *
 * @public
 */
export interface SettingsChangeEntry {
  kind: 'change';
  /** When it was saved, as an ISO 8601 instant. */
  at: string;
  /** Entity ref of who saved it, e.g. `user:default/ada`. */
  actor?: string;
  /** Keys that were not set before. */
  added: string[];
  /** Keys set before and given a new value (a secret given again counts as changed). */
  changed: string[];
  /** Keys that were set before and are no longer. */
  removed: string[];
}

/**
 * A connection test someone ran: where it connected and how it ended.
 *
 * @public
 */
export interface ConnectionTestEntry {
  kind: 'connection-test';
  /** When the test finished, as an ISO 8601 instant. */
  at: string;
  /** Entity ref of who ran it. */
  actor?: string;
  host: string;
  port: number;
  outcome: ConnectionTestOutcome;
  /** True when the server accepted a test message. */
  messageSent: boolean;
}

/**
 * An address someone took off the suppression list, so mail goes to it again.
 *
 * @public
 */
export interface SuppressionRemovedEntry {
  kind: 'suppression-removed';
  /** When it was removed, as an ISO 8601 instant. */
  at: string;
  /** Entity ref of who removed it. */
  actor?: string;
  /** Masked (`a***@example.com`): the history is shown to everyone who may read the settings. */
  address: string;
  /** The list it had left; absent for all bulk mail. */
  list?: string;
  /** Why it had been suppressed. */
  reason: SuppressionReason;
}

/**
 * One line of a tenant's settings history.
 *
 * @public
 */
export type SettingsHistoryEntry =
  SettingsChangeEntry | ConnectionTestEntry | SuppressionRemovedEntry;

/**
 * The body of `GET /settings/history`: the latest entries first.
 *
 * @public
 */
export interface SettingsHistoryResponse {
  entries: SettingsHistoryEntry[];
}
