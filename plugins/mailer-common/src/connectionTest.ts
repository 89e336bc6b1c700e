/**
 * What a connection test found, from the first step that failed. Every
 * outcome but `success` comes with a plain explanation and a fix.
 * `sender-not-authenticated`: a receiver refused the mail because the
 * sender's domain failed SPF, DKIM, DMARC or alignment (the sender check
 * says which); `rate-limited`: a receiver slows the sender down;
 * `signing-failed`: the tenant's DKIM key cannot sign, so nothing is sent.
 *
 * @public
 */
export type ConnectionTestOutcome =
  | 'success'
  | 'dns-failure'
  | 'connection-refused'
  | 'timeout'
  | 'tls-failure'
  | 'authentication-failed'
  | 'token-failure'
  | 'sender-refused'
  | 'recipient-refused'
  | 'server-busy'
  | 'rate-limited'
  | 'sender-not-authenticated'
  | 'not-smtp'
  | 'not-allowed'
  | 'signing-failed'
  | 'unknown-failure';

/**
 * Why a secure connection failed, when it is known: each has its own fix.
 * `untrusted-certificate`: signed by an authority the portal does not trust
 * (or self-signed); `name-mismatch`: issued for another name than
 * SMTP.Server; `expired-certificate`; `wrong-security-mode`: TLS spoken to
 * a STARTTLS port or the reverse; `old-protocol`: the server offers nothing
 * newer than TLS 1.1.
 *
 * @public
 */
export type TlsProblem =
  | 'untrusted-certificate'
  | 'name-mismatch'
  | 'expired-certificate'
  | 'wrong-security-mode'
  | 'old-protocol';

/**
 * The body of `POST /connection-test`.
 *
 * @public
 */
export interface ConnectionTestRequest {
  /**
   * The settings being edited, as in `PUT /settings`; a blank or absent
   * secret uses the stored one. Absent: test the saved settings.
   */
  values?: Record<string, string | null>;
  /** When set, a test message is sent to this address after logging in. */
  sendTo?: string;
}

/**
 * The answer of `POST /connection-test`.
 *
 * @public
 */
export interface ConnectionTestResult {
  outcome: ConnectionTestOutcome;
  /** One sentence saying what happened. */
  message: string;
  /** What to do about it; absent on success. */
  advice?: string;
  /** Why the secure connection failed, for `tls-failure`. */
  tlsProblem?: TlsProblem;
  /** The SMTP reply behind the outcome, when the server gave one. */
  reply?: { responseCode?: number; response?: string };
  /** True when a test message was accepted by the server. */
  messageSent: boolean;
  /**
   * Which server was tested: the tenant's own (`custom`), or the default
   * mailbox (`default`) while the tenant's settings are incomplete.
   */
  server: 'custom' | 'default';
}
