import { SmtpTarget } from './senders/types';

/** What the server child has counted since the last reset. */
export interface ServerCounters {
  /** Messages accepted, duplicates included. */
  received: number;
  /** Distinct messages (by X-Bench-Seq, else the subject's number, else Message-ID). */
  unique: number;
  duplicates: number;
  /** `epochMs()` of the first and last message accepted. */
  firstReceivedAt?: number;
  lastReceivedAt?: number;
  /** Connections accepted (those refused with 421 beyond maxClients are not). */
  connectionsOpened: number;
  /** Most connections open at once. */
  peakOpenConnections: number;
  /** AUTH attempts with wrong credentials. */
  loginsRefused: number;
}

/** Runner → server child. Each request gets a `reply` with the same id. */
export type RunnerMessage =
  { type: 'reset'; id: number } | { type: 'counters'; id: number };

/** Server child → runner. */
export type ServerMessage =
  | { type: 'ready'; target: SmtpTarget }
  /** Sent at most every PROGRESS_INTERVAL_MS, and only when something changed. */
  | { type: 'progress'; counters: ServerCounters }
  | { type: 'reply'; id: number; counters: ServerCounters };

export const PROGRESS_INTERVAL_MS = 100;
