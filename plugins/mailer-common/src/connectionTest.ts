/**
 * What a connection test found, from the first step that failed. Every
 * outcome but `success` comes with a plain explanation and a fix.
 */
export type ConnectionTestOutcome =
  | 'success'
  | 'dns-failure'
  | 'connection-refused'
  | 'timeout'
  | 'tls-failure'
  | 'authentication-failed'
  | 'sender-refused'
  | 'recipient-refused'
  | 'server-busy'
  | 'unknown-failure';

/** The body of `POST /connection-test`. */
export interface ConnectionTestRequest {
  /**
   * The settings being edited, as in `PUT /settings`; a blank or absent
   * secret uses the stored one. Absent: test the saved settings.
   */
  values?: Record<string, string | null>;
  /** When set, a test message is sent to this address after logging in. */
  sendTo?: string;
}

/** The answer of `POST /connection-test`. */
export interface ConnectionTestResult {
  outcome: ConnectionTestOutcome;
  /** One sentence saying what happened. */
  message: string;
  /** What to do about it; absent on success. */
  advice?: string;
  /** The SMTP reply behind the outcome, when the server gave one. */
  reply?: { responseCode?: number; response?: string };
  /** True when a test message was accepted by the server. */
  messageSent: boolean;
}
