import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import {
  hasControlCharacter,
  hasLineBreak,
  isEmailAddress,
} from '@elixeum/plugin-mailer-common';
import { RetryPolicy } from './delivery/retryPolicy';
import {
  defaultSecurityForPort,
  SMTP_SECURITY_VALUES,
  SmtpSecurity,
  SmtpServerSettings,
} from './smtp/SmtpServerSettings';

/** How the outbox is delivered; every field has a default. */
export interface DeliveryConfig {
  /** SMTP connections per server and replica; real servers refuse more (421, 432 4.3.2). */
  maxConnections: number;
  /** Claimed messages a server's lane holds per connection: a small window, so a hung server holds few. */
  windowPerConnection: number;
  /** How often a worker looks for due mail queued by other replicas. */
  pollIntervalMs: number;
  /** A claimed message whose worker died is claimed again after this; extended while it is sent. */
  leaseMs: number;
  connectionTimeoutMs: number;
  /** A server silent this long in the middle of a command has failed. */
  socketTimeoutMs: number;
  /** How long stopping the backend waits for messages on the wire. */
  shutdownTimeoutMs: number;
  /**
   * Outcomes are written at once when mail trickles, and at most this often
   * when it floods (each write costs a commit, whatever it holds).
   */
  recordIntervalMs: number;
  /** The first pause of a server that failed as a whole; doubles up to `pauseMaxMs`. */
  pauseInitialMs: number;
  pauseMaxMs: number;
  retry: RetryPolicy;
  /** Sent and failed messages are deleted after this. */
  retentionMs: number;
  /** A server's connections are closed after this long without mail. */
  idlePoolMs: number;
  /** The most servers a replica keeps connections open to. */
  maxPools: number;
  /** What the campaign bodies a replica keeps in memory may weigh together, in bytes. */
  templateCacheBytes: number;
}

/** The mailer's part of app-config, read once at start-up. */
export interface MailerConfig {
  defaultServer: SmtpServerSettings;
  /** Messages per minute through the default mailbox, across replicas. */
  defaultRateLimit?: number;
  tenantId: string;
  extraCaCertificates: string[];
  /** Whether tenant servers that are not on loopback may get a password without TLS. */
  allowInsecureAuth: boolean;
  /** Where OAuth2 tokens and Microsoft Graph are; tests point them at loopback. */
  endpoints: {
    microsoftAuthority: string;
    googleTokenUrl: string;
    graphBaseUrl: string;
  };
  delivery: DeliveryConfig;
  /** Lines of the settings history are deleted after this. */
  settingsHistoryRetentionMs: number;
  /** How often one replica re-encrypts secrets under older keys with the primary key. */
  reencryptFrequencyMs: number;
}

/** A base URL from config: http(s), without a trailing slash. */
function baseUrl(config: Config, key: string, fallback: string): string {
  const value = config.getOptionalString(key) ?? fallback;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${key} must be a URL, e.g. ${fallback}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`${key} must be an http(s) URL, e.g. ${fallback}`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * What the campaign bodies kept in memory weigh by default: without a bound
 * in bytes, 64 bodies of 25 MB each would take 1.6 GB.
 */
const DEFAULT_TEMPLATE_CACHE_BYTES = 32 * 1024 ** 2;
/** A bound on `mailer.delivery.templateCacheSize`, well beyond any heap. */
const MAX_TEMPLATE_CACHE_BYTES = 64 * 1024 ** 3;

/** Keys of earlier versions, and what replaced them. */
const REPLACED_KEYS: Record<string, string> = {
  'mailer.delivery.batchSize': 'mailer.delivery.windowPerConnection',
  'mailer.delivery.pollIntervalMs': 'mailer.delivery.pollInterval',
  'mailer.delivery.leaseSeconds': 'mailer.delivery.lease',
  'mailer.delivery.retentionDays': 'mailer.delivery.retention',
  'mailer.delivery.idlePoolSeconds': 'mailer.delivery.idlePoolTimeout',
  'mailer.delivery.retry.initialDelaySeconds':
    'mailer.delivery.retry.initialDelay',
  'mailer.delivery.retry.maxDelaySeconds': 'mailer.delivery.retry.maxDelay',
  'mailer.delivery.retry.maxAgeHours': 'mailer.delivery.retry.maxAge',
};

/** Reads and checks `mailer.*`; a mistake stops start-up with a message naming the key. */
export function readMailerConfig(config: Config): MailerConfig {
  for (const [old, replacement] of Object.entries(REPLACED_KEYS)) {
    if (config.has(old)) {
      throw new Error(
        `${old} is no longer read; use ${replacement} (a duration such as '30s' or { seconds: 30 }, or a number where it counts things)`,
      );
    }
  }
  const server = config.getConfig('mailer.default');
  const port = wholeNumber(config, 'mailer.default.port', 587, 1, 65535);
  const security =
    server.getOptionalString('security') ?? defaultSecurityForPort(port);
  if (!SMTP_SECURITY_VALUES.includes(security as SmtpSecurity)) {
    throw new Error(
      `mailer.default.security must be one of ${SMTP_SECURITY_VALUES.join(', ')}`,
    );
  }
  const from = server.getString('from');
  if (!isEmailAddress(from)) {
    throw new Error(
      'mailer.default.from must be a mail address such as no-reply@example.com',
    );
  }
  const replyTo = server.getOptionalString('replyTo');
  if (replyTo !== undefined && !isEmailAddress(replyTo)) {
    throw new Error(
      'mailer.default.replyTo must be a mail address such as support@example.com',
    );
  }
  const fromName = server.getOptionalString('fromName');
  if (
    fromName !== undefined &&
    (fromName.trim() === '' ||
      fromName.length > 200 ||
      hasLineBreak(fromName) ||
      hasControlCharacter(fromName))
  ) {
    throw new Error(
      'mailer.default.fromName must be one line of at most 200 characters, e.g. Elixeum Portal',
    );
  }
  const auth = server.getOptionalConfig('auth');
  return {
    defaultServer: {
      host: server.getString('host'),
      port,
      security: security as SmtpSecurity,
      auth: auth
        ? {
            kind: 'password',
            user: auth.getString('user'),
            pass: auth.getString('pass'),
          }
        : undefined,
      from,
      ...(fromName !== undefined && { fromName }),
      ...(replyTo !== undefined && { replyTo }),
    },
    defaultRateLimit: config.has('mailer.default.rateLimit')
      ? wholeNumber(config, 'mailer.default.rateLimit', 0, 1, 10_000_000)
      : undefined,
    tenantId: config.getOptionalString('mailer.tenant.id') ?? 'default',
    extraCaCertificates:
      config.getOptionalStringArray('mailer.tls.extraCaCertificates') ?? [],
    allowInsecureAuth:
      config.getOptionalBoolean('mailer.allowInsecureAuth') ?? false,
    endpoints: {
      microsoftAuthority: baseUrl(
        config,
        'mailer.oauth.microsoft.authority',
        'https://login.microsoftonline.com',
      ),
      googleTokenUrl: baseUrl(
        config,
        'mailer.oauth.google.tokenUrl',
        'https://oauth2.googleapis.com/token',
      ),
      graphBaseUrl: baseUrl(
        config,
        'mailer.graph.baseUrl',
        'https://graph.microsoft.com',
      ),
    },
    delivery: readDeliveryConfig(config),
    settingsHistoryRetentionMs: duration(
      config,
      'mailer.settingsHistory.retention',
      { days: 180 },
      60_000,
    ),
    reencryptFrequencyMs: duration(
      config,
      'mailer.encryption.reencryptFrequency',
      { minutes: 10 },
      1000,
    ),
  };
}

function readDeliveryConfig(config: Config): DeliveryConfig {
  const d = 'mailer.delivery';
  const count = (key: string, fallback: number, max: number) =>
    wholeNumber(config, `${d}.${key}`, fallback, 1, max);
  const ms = (key: string, fallback: HumanDuration, min = 1) =>
    duration(config, `${d}.${key}`, fallback, min);
  const delivery: DeliveryConfig = {
    maxConnections: count('maxConnections', 5, 100),
    windowPerConnection: count('windowPerConnection', 20, 100),
    pollIntervalMs: ms('pollInterval', { seconds: 1 }, 10),
    leaseMs: ms('lease', { minutes: 1 }, 1000),
    connectionTimeoutMs: ms('connectionTimeout', { seconds: 15 }, 100),
    socketTimeoutMs: ms('socketTimeout', { minutes: 1 }, 100),
    shutdownTimeoutMs: ms('shutdownTimeout', { seconds: 10 }, 0),
    recordIntervalMs: ms('recordInterval', { milliseconds: 50 }, 0),
    pauseInitialMs: ms('pause.initialDelay', { seconds: 5 }),
    pauseMaxMs: ms('pause.maxDelay', { minutes: 5 }),
    retry: {
      maxAttempts: count('retry.maxAttempts', 8, 100),
      initialDelayMs: ms('retry.initialDelay', { seconds: 30 }),
      maxDelayMs: ms('retry.maxDelay', { hours: 1 }),
      maxAgeMs: ms('retry.maxAge', { hours: 24 }),
    },
    retentionMs: ms('retention', { days: 30 }),
    idlePoolMs: ms('idlePoolTimeout', { minutes: 1 }),
    maxPools: count('maxPools', 100, 100_000),
    templateCacheBytes: byteSize(
      config,
      `${d}.templateCacheSize`,
      DEFAULT_TEMPLATE_CACHE_BYTES,
      MAX_TEMPLATE_CACHE_BYTES,
    ),
  };
  if (delivery.shutdownTimeoutMs >= delivery.leaseMs) {
    throw new Error(
      `${d}.shutdownTimeout must be shorter than ${d}.lease, so that another replica does not take messages this one still sends`,
    );
  }
  return delivery;
}

function wholeNumber(
  config: Config,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `${key} must be a whole number from ${min} to ${max}, not ${value}`,
    );
  }
  return value;
}

/** Multiples of a byte size's units: binary, as PostgreSQL and the JVM read them. */
const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** A size in bytes: a whole number of bytes, or a string such as '32MB' or '512 kB'. */
function byteSize(
  config: Config,
  key: string,
  fallback: number,
  max: number,
): number {
  const value = config.getOptional(key) ?? fallback;
  let bytes = typeof value === 'number' ? value : NaN;
  const found =
    typeof value === 'string' ? /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(value) : null;
  if (found) {
    bytes =
      Number(found[1]) * (BYTE_UNITS[found[2].toLowerCase() || 'b'] ?? NaN);
  }
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > max) {
    throw new Error(
      `${key} must be a size from 0 to ${max} bytes, as a number of bytes or e.g. '32MB' (kB, MB, GB: multiples of 1024)`,
    );
  }
  return bytes;
}

function duration(
  config: Config,
  key: string,
  fallback: HumanDuration,
  minMs: number,
): number {
  const value = config.has(key)
    ? durationToMilliseconds(readDurationFromConfig(config, { key }))
    : durationToMilliseconds(fallback);
  if (!Number.isFinite(value) || value < minMs) {
    throw new Error(
      `${key} must be a duration of at least ${minMs} ms, e.g. '30s' or { seconds: 30 }`,
    );
  }
  return value;
}
