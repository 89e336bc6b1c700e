import { SmtpReply } from '@elixeum/plugin-mailer-common';

// Every attribute value the mailer's metrics carry comes from one of these
// small fixed sets: never a tenant id, an address, a host or a campaign id,
// each of which would make one time series per value in the operator's
// metrics store. Per-tenant numbers are in the delivery API instead.

/** How urgent a message is, by its stored priority (0 transactional). */
export type PriorityName = 'transactional' | 'bulk';

/** Which kind of server a message went through. */
export type ServerKind = 'default' | 'smtp' | 'graph';

export function priorityName(priority: number): PriorityName {
  return priority === 0 ? 'transactional' : 'bulk';
}

/** What the metrics need to know of a lane: whose server, which transport, its connections. */
export interface MeteredLane {
  /** Undefined for the default mailbox. */
  readonly tenantId: string | undefined;
  readonly server: { transport?: 'smtp' | 'microsoft-graph' };
  readonly openConnections: number;
}

export function serverKindOf(lane: MeteredLane): ServerKind {
  if (lane.tenantId === undefined) return 'default';
  return lane.server.transport === 'microsoft-graph' ? 'graph' : 'smtp';
}

/**
 * Why a message failed for good, by its last reply: refused for good (5xx),
 * still refused for now when its attempts or its time ran out (4xx), or no
 * reply at all (connection, TLS, a message that could not be built).
 */
export function failureOutcome(
  reply: SmtpReply | undefined,
): 'permanent' | 'temporary' | 'no_reply' {
  const code = reply?.responseCode;
  if (code === undefined) return 'no_reply';
  return code >= 500 ? 'permanent' : 'temporary';
}

const PAUSE_REASONS: Record<string, string> = {
  EAUTH: 'auth',
  ETOKEN: 'auth',
  EINSECURE: 'auth',
  ETLS: 'tls',
  ECONNECTION: 'connection',
  ECONNREFUSED: 'connection',
  ECONNRESET: 'connection',
  EHOSTUNREACH: 'connection',
  ESOCKET: 'connection',
  ETIMEDOUT: 'connection',
  ETIMEOUT: 'connection',
  ENOTFOUND: 'connection',
  EDNS: 'connection',
  ENODATA: 'connection',
  EPOLICY: 'policy',
  ESETTINGS: 'settings',
  EGRAPH: 'graph',
};

/**
 * The family of a server's pause, by its error code, or else by its reply
 * code's class: `auth`, `tls`, `connection`, `policy`, `settings`, `graph`,
 * `reply_4xx`, `reply_5xx` or `other`.
 */
export function pauseReason(
  errorCode: string | undefined,
  responseCode: number | undefined,
): string {
  const known = errorCode && PAUSE_REASONS[errorCode];
  if (known) return known;
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 600) {
    return responseCode >= 500 ? 'reply_5xx' : 'reply_4xx';
  }
  return 'other';
}

/** OAuth2's own error codes (RFC 6749, 5.2); anything else an endpoint says is `refused`. */
const OAUTH_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
]);

/**
 * Why a token request failed: the endpoint could not be reached
 * (`unreachable`), refused with one of OAuth2's error codes, refused
 * otherwise (`refused`), or something else went wrong (`error`).
 */
export function tokenFailureReason(error: unknown): string {
  const details = (error as { code?: string; details?: Record<string, any> })
    ?.details;
  if ((error as { code?: string })?.code !== 'ETOKEN' || !details) {
    return 'error';
  }
  if (details.status === undefined) return 'unreachable';
  return OAUTH_ERRORS.has(details.error) ? details.error : 'refused';
}
