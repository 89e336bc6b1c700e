export interface Config {
  mailer?: {
    /**
     * Where the card's "Set up a server" links to the setup steps of each
     * provider: the folder holding providers.md. Defaults to the mailer's
     * docs on GitHub.
     * @visibility frontend
     */
    docsUrl?: string;
    /**
     * Servers of this portal's own to offer under "Set up a server", after
     * the built-in providers, e.g. a company relay. Sent to the browser:
     * never put a password here.
     * @deepVisibility frontend
     */
    presets?: Array<{
      /** Stable id, e.g. company-relay. */
      id: string;
      /** The name shown in the card. */
      title: string;
      /** One line on when to choose it. */
      description?: string;
      /** A link to its setup steps. */
      docsUrl?: string;
      /** The known values, e.g. { key: SMTP.Server, value: relay.example.com }. */
      settings: Array<{ key: string; value: string }>;
      /** The keys the tenant types in, e.g. [SMTP.Username, SMTP.Password]. */
      ask?: string[];
    }>;
  };
}
