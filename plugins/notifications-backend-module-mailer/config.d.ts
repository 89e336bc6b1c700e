import { HumanDuration } from '@backstage/types';

export interface Config {
  notifications?: {
    processors?: {
      /**
       * Notifications by email through the Elixeum mailer
       * (`@elixeum/plugin-notifications-backend-module-mailer`). The SMTP
       * server, sender and delivery come from the mailer (`mailer.*` and each
       * tenant's settings), not from here.
       */
      mailer?: {
        /**
         * The channel name users see in their notification settings, and
         * under which their choices are stored. Defaults to `Email`, the
         * upstream email module's, so existing opt-outs carry over.
         */
        channel?: string;
        /** Who gets broadcast notifications by email. Defaults to nobody. */
        broadcastConfig?: {
          /**
           * none: no email; users: every user in the catalog with an email
           * address; config: the addresses in `receiverEmails`.
           */
          receiver: 'none' | 'users' | 'config';
          /** The addresses for `receiver: config`. */
          receiverEmails?: string[];
        };
        /** Which notifications are emailed. */
        filter?: {
          /** Less severe notifications are not emailed. */
          minSeverity?: 'critical' | 'high' | 'normal' | 'low';
          /** More severe notifications are not emailed. */
          maxSeverity?: 'critical' | 'high' | 'normal' | 'low';
          /** Notifications with one of these topics are not emailed. */
          excludedTopics?: string[];
          /** When set, only notifications with one of these topics are emailed. */
          includedTopics?: string[];
        };
        /**
         * Only addresses in these domains get email (exact match, ignoring
         * case), unless listed in `allowlistEmailAddresses`.
         */
        allowedEmailDomains?: string[];
        /**
         * Addresses that always get email, even outside `allowedEmailDomains`.
         * Set without `allowedEmailDomains`, only these addresses get email.
         */
        allowlistEmailAddresses?: string[];
        /** Addresses that never get email; applied last. */
        denylistEmailAddresses?: string[];
        /** How long users' addresses read from the catalog are kept. */
        cache?: {
          /** Defaults to 1 hour. */
          ttl?: HumanDuration | string;
        };
      };
    };
  };
}
