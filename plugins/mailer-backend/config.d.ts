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
    };
    /** How the tenant of a request is found when no module replaces it. */
    tenant?: {
      /** The one tenant this deployment serves. Defaults to `default`. */
      id?: string;
    };
    /** Delivery of the outbox. Every field has a default. */
    delivery?: {
      /** SMTP connections per server and replica. Defaults to 5. */
      maxConnections?: number;
      /** Messages a worker claims at a time. Defaults to 500. */
      batchSize?: number;
      /** How often a worker looks for mail queued by other replicas. Defaults to 1000. */
      pollIntervalMs?: number;
      /** A claimed message whose worker died is claimed again after this. Defaults to 120. */
      leaseSeconds?: number;
      /** Retries of temporary failures (4xx replies, connection errors, timeouts). */
      retry?: {
        /** Defaults to 8. */
        maxAttempts?: number;
        /** Defaults to 30; doubles with every attempt, with jitter. */
        initialDelaySeconds?: number;
        /** Defaults to 3600. */
        maxDelaySeconds?: number;
        /** A message older than this fails instead of being retried. Defaults to 24. */
        maxAgeHours?: number;
      };
      /** Sent and failed messages are deleted after this. Defaults to 30. */
      retentionDays?: number;
      /** A server's idle connections are closed after this. Defaults to 60. */
      idlePoolSeconds?: number;
      /** The most servers a replica keeps connections open to. Defaults to 100. */
      maxPools?: number;
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
