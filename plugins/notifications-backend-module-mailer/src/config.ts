import { Config, readDurationFromConfig } from '@backstage/config';
import { isEmailAddress } from '@elixeum/plugin-mailer-common';
import {
  getProcessorFiltersFromConfig,
  notificationSeverities,
  NotificationProcessorFilters,
} from '@backstage/plugin-notifications-common';
import { durationToMilliseconds } from '@backstage/types';

/** Where this module's settings live in app-config. */
export const CONFIG_PATH = 'notifications.processors.mailer';

/** The channel name of the upstream email module: users' opt-outs are stored under it. */
export const DEFAULT_CHANNEL = 'Email';

const DEFAULT_CACHE_TTL_MS = 60 * 60 * 1000;

/** Who gets broadcast notifications by email. */
export type BroadcastReceivers =
  | { receiver: 'none' }
  | { receiver: 'users' }
  | { receiver: 'config'; addresses: string[] };

/** Which addresses may get email: domains, then the allow list, the deny list last. */
export interface AddressRules {
  allowedDomains?: string[];
  allowlist?: string[];
  denylist?: string[];
}

/** The module's settings, checked at startup. */
export interface MailerNotificationsConfig {
  channel: string;
  filter: NotificationProcessorFilters;
  broadcast: BroadcastReceivers;
  addressRules: AddressRules;
  cacheTtlMs: number;
}

// Keys of the upstream module that mean nothing here: the mailer decides them.
const UPSTREAM_ONLY_KEYS = [
  'transportConfig',
  'sender',
  'replyTo',
  'sesConfig',
  'concurrencyLimit',
  'throttleInterval',
];

function lowerCaseList(config: Config, key: string): string[] | undefined {
  return config
    .getOptionalStringArray(key)
    ?.map(value => value.trim().toLowerCase());
}

function readBroadcast(config: Config): BroadcastReceivers {
  const receiver =
    config.getOptionalString('broadcastConfig.receiver') ?? 'none';
  switch (receiver) {
    case 'none':
    case 'users':
      return { receiver };
    case 'config': {
      const addresses =
        config.getOptionalStringArray('broadcastConfig.receiverEmails') ?? [];
      const invalid = addresses.filter(a => !isEmailAddress(a)).length;
      if (invalid > 0) {
        throw new Error(
          `${CONFIG_PATH}.broadcastConfig.receiverEmails has ${invalid} invalid address(es)`,
        );
      }
      return { receiver, addresses };
    }
    default:
      throw new Error(
        `${CONFIG_PATH}.broadcastConfig.receiver must be none, users or config, not "${receiver}"`,
      );
  }
}

function readFilter(config: Config): NotificationProcessorFilters {
  const filter = getProcessorFiltersFromConfig(config);
  const { minSeverity, maxSeverity } = filter;
  // Severities run from critical (0) to low (3): a minimum above the maximum lets nothing through.
  if (
    minSeverity &&
    maxSeverity &&
    notificationSeverities.indexOf(minSeverity) <
      notificationSeverities.indexOf(maxSeverity)
  ) {
    throw new Error(
      `${CONFIG_PATH}.filter: minSeverity ${minSeverity} is more severe than maxSeverity ${maxSeverity}, so no notification would be emailed`,
    );
  }
  return filter;
}

/**
 * Reads `notifications.processors.mailer`; every key is optional. Throws
 * with the key's path on a value that cannot work, so the backend does not
 * start with a broken configuration.
 */
export function readMailerNotificationsConfig(
  rootConfig: Config,
): MailerNotificationsConfig {
  const config = rootConfig.getOptionalConfig(CONFIG_PATH);
  if (!config) {
    return {
      channel: DEFAULT_CHANNEL,
      filter: {},
      broadcast: { receiver: 'none' },
      addressRules: {},
      cacheTtlMs: DEFAULT_CACHE_TTL_MS,
    };
  }
  const channel = config.getOptionalString('channel') ?? DEFAULT_CHANNEL;
  if (channel.trim().length === 0 || channel.toLowerCase() === 'web') {
    throw new Error(
      `${CONFIG_PATH}.channel must name a channel other than Web, the notifications page's own`,
    );
  }
  return {
    channel,
    filter: readFilter(config),
    broadcast: readBroadcast(config),
    addressRules: {
      allowedDomains: lowerCaseList(config, 'allowedEmailDomains'),
      allowlist: lowerCaseList(config, 'allowlistEmailAddresses'),
      denylist: lowerCaseList(config, 'denylistEmailAddresses'),
    },
    cacheTtlMs: config.has('cache.ttl')
      ? durationToMilliseconds(
          readDurationFromConfig(config, { key: 'cache.ttl' }),
        )
      : DEFAULT_CACHE_TTL_MS,
  };
}

/** Keys copied over from the upstream email module that this module ignores. */
export function findIgnoredUpstreamKeys(rootConfig: Config): string[] {
  const config = rootConfig.getOptionalConfig(CONFIG_PATH);
  return UPSTREAM_ONLY_KEYS.filter(key => config?.has(key)).map(
    key => `${CONFIG_PATH}.${key}`,
  );
}
