import { Config } from '@backstage/config';
import { isEmailAddress } from '@elixeum/plugin-mailer-common';
import { RetryPolicy } from './delivery/retryPolicy';

/** How a connection to an SMTP server is protected. */
export type SmtpSecurity = 'starttls' | 'tls' | 'none';

/** Everything needed to connect to one SMTP server and send as one sender. */
export interface SmtpServerSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  auth?: { user: string; pass: string };
  from: string;
}

/** How the outbox is delivered; every field has a default. */
export interface DeliveryConfig {
  /** SMTP connections per server and replica; real servers refuse more (421, 432 4.3.2). */
  maxConnections: number;
  /** Messages a worker claims at a time. */
  batchSize: number;
  /** How often a worker looks for due mail queued by other replicas. */
  pollIntervalMs: number;
  /** A claimed message whose worker died is claimed again after this. */
  leaseMs: number;
  retry: RetryPolicy;
  /** Sent and failed messages are deleted after this. */
  retentionMs: number;
  /** A server's connections are closed after this long without mail. */
  idlePoolMs: number;
  /** The most servers a replica keeps connections open to. */
  maxPools: number;
}

/** The mailer's part of app-config, read once at start-up. */
export interface MailerConfig {
  defaultServer: SmtpServerSettings;
  tenantId: string;
  extraCaCertificates: string[];
  delivery: DeliveryConfig;
}

const SECURITY_VALUES: readonly SmtpSecurity[] = ['starttls', 'tls', 'none'];

/** The security a server uses when none is chosen: implicit TLS on 465, STARTTLS elsewhere. */
export function defaultSecurityForPort(port: number): SmtpSecurity {
  return port === 465 ? 'tls' : 'starttls';
}

/** Reads and checks `mailer.*`; a mistake stops start-up with a message naming the key. */
export function readMailerConfig(config: Config): MailerConfig {
  const server = config.getConfig('mailer.default');
  const port = server.getOptionalNumber('port') ?? 587;
  const security =
    server.getOptionalString('security') ?? defaultSecurityForPort(port);
  if (!SECURITY_VALUES.includes(security as SmtpSecurity)) {
    throw new Error(
      `mailer.default.security must be one of ${SECURITY_VALUES.join(', ')}`,
    );
  }
  const from = server.getString('from');
  if (!isEmailAddress(from)) {
    throw new Error(
      'mailer.default.from must be a mail address such as no-reply@example.com',
    );
  }
  const auth = server.getOptionalConfig('auth');
  return {
    defaultServer: {
      host: server.getString('host'),
      port,
      security: security as SmtpSecurity,
      auth: auth
        ? { user: auth.getString('user'), pass: auth.getString('pass') }
        : undefined,
      from,
    },
    tenantId: config.getOptionalString('mailer.tenant.id') ?? 'default',
    extraCaCertificates:
      config.getOptionalStringArray('mailer.tls.extraCaCertificates') ?? [],
    delivery: readDeliveryConfig(config),
  };
}

function readDeliveryConfig(config: Config): DeliveryConfig {
  const d = config.getOptionalConfig('mailer.delivery');
  const retry = d?.getOptionalConfig('retry');
  const seconds = (value: number | undefined, fallback: number) =>
    (value ?? fallback) * 1000;
  return {
    maxConnections: d?.getOptionalNumber('maxConnections') ?? 5,
    batchSize: d?.getOptionalNumber('batchSize') ?? 500,
    pollIntervalMs: d?.getOptionalNumber('pollIntervalMs') ?? 1000,
    leaseMs: seconds(d?.getOptionalNumber('leaseSeconds'), 120),
    retry: {
      maxAttempts: retry?.getOptionalNumber('maxAttempts') ?? 8,
      initialDelayMs: seconds(
        retry?.getOptionalNumber('initialDelaySeconds'),
        30,
      ),
      maxDelayMs: seconds(retry?.getOptionalNumber('maxDelaySeconds'), 3600),
      maxAgeMs: seconds(retry?.getOptionalNumber('maxAgeHours'), 24) * 3600,
    },
    retentionMs: seconds(d?.getOptionalNumber('retentionDays'), 30) * 86400,
    idlePoolMs: seconds(d?.getOptionalNumber('idlePoolSeconds'), 60),
    maxPools: d?.getOptionalNumber('maxPools') ?? 100,
  };
}
