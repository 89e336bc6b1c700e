import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Configuration of the Elixeum mailer backend. */
  mailer?: {
    /**
     * The server every tenant's mail goes through until the tenant configures
     * its own SMTP server.
     */
    default: {
      /** Host name or IP address of the default SMTP server. */
      host: string;
      /** Port of the default SMTP server. Defaults to 587. */
      port?: number;
      /**
       * starttls (default): upgrade to TLS after connecting; tls: TLS from the
       * first byte (port 465); none: no encryption, for a local relay only.
       */
      security?: 'starttls' | 'tls' | 'none';
      /** Credentials for the default server, if it requires a login. */
      auth?: {
        user: string;
        /** @visibility secret */
        pass: string;
      };
      /** The sender of the default mailbox, e.g. no-reply@elixeum.cloud. */
      from: string;
      /** The name shown with the sender, e.g. Elixeum Portal. */
      fromName?: string;
      /** Where replies to the default mailbox's mail go, when a message does not say. */
      replyTo?: string;
      /**
       * The most messages a minute through the default mailbox, across all
       * replicas (e.g. 30 for an Office 365 mailbox). Defaults to no limit.
       */
      rateLimit?: number;
    };
    /** Encryption of secret settings (the SMTP password) at rest. */
    encryption: {
      /**
       * AES-256 keys, each 32 random bytes in base64. The first key encrypts
       * new values; every key listed can decrypt, so a new key can be put
       * first while values written with older keys still read.
       */
      keys: Array<{
        /** A short name stored beside each value, e.g. 2026-11. */
        id: string;
        /** @visibility secret */
        secret: string;
      }>;
      /**
       * How often one replica re-encrypts secrets stored under any key but
       * the first with the first key (also about 10 seconds after each
       * start), so that an old key can be removed. Defaults to 10 minutes.
       */
      reencryptFrequency?: HumanDuration | string;
    };
    /** How the tenant of a request is found when no module replaces it. */
    tenant?: {
      /** The one tenant this deployment serves. Defaults to `default`. */
      id?: string;
    };
    /** Delivery of the outbox. Every field has a default. */
    /**
     * Delivery of the outbox. Every field has a default. Durations take any
     * form Backstage reads: '30s', 'PT30S' or { seconds: 30 }.
     */
    delivery?: {
      /** SMTP connections per server and replica. Defaults to 5. */
      maxConnections?: number;
      /**
       * Claimed messages a server's lane holds per connection, waiting or
       * being sent: a slow or hung server never holds more. A lane claims
       * when three quarters of its window are free, so this also sets how
       * many messages one claim takes (fewer, larger claims cost the
       * database less). Defaults to 20.
       */
      windowPerConnection?: number;
      /** How often a worker looks for mail queued by other replicas. Defaults to 1 second. */
      pollInterval?: HumanDuration | string;
      /**
       * A claimed message whose replica died is taken again after this; it is
       * extended while the message is sent. Defaults to 1 minute.
       */
      lease?: HumanDuration | string;
      /** How long connecting and the server's greeting may take. Defaults to 15 seconds. */
      connectionTimeout?: HumanDuration | string;
      /** A server silent this long in the middle of a command has failed. Defaults to 1 minute. */
      socketTimeout?: HumanDuration | string;
      /**
       * How long stopping the backend waits for messages on the wire; what
       * was claimed but not started is given back at once. Must be shorter
       * than the lease. Defaults to 10 seconds (Kubernetes allows 30).
       */
      shutdownTimeout?: HumanDuration | string;
      /**
       * Outcomes are recorded at once when mail trickles, and at most this
       * often when it floods. Defaults to 50 milliseconds.
       */
      recordInterval?: HumanDuration | string;
      /** Pauses of a server that failed as a whole (refused, timed out, login refused). */
      pause?: {
        /** The first pause; doubles with each failure in a row. Defaults to 5 seconds. */
        initialDelay?: HumanDuration | string;
        /** Defaults to 5 minutes. */
        maxDelay?: HumanDuration | string;
      };
      /** Retries of temporary failures of a message (4xx replies, dropped connections). */
      retry?: {
        /** Attempts in all, counted when a message is claimed. Defaults to 8. */
        maxAttempts?: number;
        /** Doubles with every attempt, with jitter. Defaults to 30 seconds. */
        initialDelay?: HumanDuration | string;
        /** Defaults to 1 hour. */
        maxDelay?: HumanDuration | string;
        /** A message older than this fails instead of being retried. Defaults to 24 hours. */
        maxAge?: HumanDuration | string;
      };
      /** Sent and failed messages are deleted after this. Defaults to 30 days. */
      retention?: HumanDuration | string;
      /** A server's idle connections are closed after this. Defaults to 1 minute. */
      idlePoolTimeout?: HumanDuration | string;
      /**
       * The most tenant servers a replica sends to at once (the default
       * mailbox comes on top); more tenants with mail take turns. Defaults
       * to 100.
       */
      maxPools?: number;
      /**
       * What the campaign bodies (attachments included) a replica keeps in
       * memory while it delivers may weigh together: a number of bytes, or a
       * string such as '32MB' (kB, MB and GB are multiples of 1024). A body
       * larger than this is read again for each claim. Defaults to 32MB.
       */
      templateCacheSize?: number | string;
    };
    /** The short history of settings changes and connection tests (who, when, which keys; never values). */
    settingsHistory?: {
      /**
       * Lines older than this are deleted by the hourly clean-up. At least a
       * minute; defaults to 180 days. E.g. '90d' or { days: 90 }.
       */
      retention?: HumanDuration | string;
    };
    /**
     * Whether tenant servers that are not on loopback may get a password over
     * a connection without TLS. Defaults to false: never.
     */
    allowInsecureAuth?: boolean;
    /** Where OAuth2 access tokens come from, for tenants that log in with XOAUTH2. */
    oauth?: {
      microsoft?: {
        /** Defaults to https://login.microsoftonline.com (a national cloud has its own). */
        authority?: string;
      };
      google?: {
        /** Defaults to https://oauth2.googleapis.com/token */
        tokenUrl?: string;
      };
    };
    /** Microsoft Graph, for tenants with SMTP.Transport microsoft-graph. */
    graph?: {
      /** Defaults to https://graph.microsoft.com */
      baseUrl?: string;
    };
    /**
     * Which SMTP servers tenants may point their mail at. By default tenant
     * servers may not be (or resolve to) loopback, private, link-local,
     * unique-local, carrier-grade NAT, multicast or unspecified addresses,
     * and may only use ports 25, 465, 587 and 2525. The default mailbox is
     * not subject to this policy.
     */
    serverPolicy?: {
      /** Ports tenant servers may use. Defaults to [25, 465, 587, 2525]. */
      allowedPorts?: number[];
      /**
       * Hosts, IP addresses or ranges (e.g. `10.20.0.0/16`) that tenant
       * servers may use even though they are internal, e.g. a company relay.
       * `ports` replaces `allowedPorts` for the entry; `any` allows every port.
       */
      allowedHosts?: Array<string | { host: string; ports?: number[] | 'any' }>;
      /** Hosts, IP addresses or ranges tenant servers may never use; beats `allowedHosts`. */
      deniedHosts?: string[];
    };
    /**
     * The sender check of the notification settings card: it reads the SPF,
     * DKIM and DMARC records of the sender's domain.
     */
    senderCheck?: {
      /**
       * DNS servers to ask, as IP addresses with an optional port, e.g.
       * ['192.0.2.53', '[2001:db8::53]:53']. Defaults to the system's.
       */
      dnsServers?: string[];
      /**
       * How long one check may wait for DNS in all; a lookup not answered by
       * then is reported as "could not check". Defaults to 5 seconds.
       */
      timeout?: HumanDuration | string;
      /**
       * How long a result is shown again without reading DNS (a check that
       * could not read everything is never kept). Defaults to 10 minutes.
       */
      cacheTime?: HumanDuration | string;
    };
    /** TLS settings for every SMTP connection the mailer opens. */
    tls?: {
      /**
       * PEM certificates to trust in addition to the public roots, for SMTP
       * servers whose certificate comes from a private authority.
       */
      extraCaCertificates?: string[];
    };
  };
}
