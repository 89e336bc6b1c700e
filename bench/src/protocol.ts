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
  | { type: 'reset'; id: number }
  | { type: 'counters'; id: number }
  /** How often each message (by its bench seq) arrived. */
  | { type: 'seqs'; id: number }
  /** Close the SMTP server, then answer with the seqs (nothing arrives after). */
  | { type: 'close'; id: number };

/** Server child → runner. */
export type ServerMessage =
  | { type: 'ready'; target: SmtpTarget }
  /** Sent at most every PROGRESS_INTERVAL_MS, and only when something changed. */
  | { type: 'progress'; counters: ServerCounters }
  | {
      type: 'reply';
      id: number;
      counters: ServerCounters;
      /** With a `seqs` or `close` request: [seq, times received] pairs. */
      seqs?: Array<[number, number]>;
    };

/**
 * The server's identity, to start it again as the same server (same port,
 * certificate and account), e.g. after taking it down in the soak test.
 */
export interface ServerIdentity {
  port: number;
  user: string;
  pass: string;
  cert: string;
  key: string;
}

/** How many SMTP servers the child runs (one port each) and how many connections each accepts. */
export interface ServerShape {
  servers: number;
  /** Connections beyond this many at once are refused with 421. */
  maxClients: number;
}

export const PROGRESS_INTERVAL_MS = 100;
