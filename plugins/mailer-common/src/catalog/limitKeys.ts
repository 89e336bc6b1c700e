import { transportOf } from './conditions';
import { SMTP_KEYS } from './keys';
import { limitPresetForServer, SENDING_LIMIT_PRESETS } from './limitPresets';
import { SettingKeyDefinition } from './types';

const { 'exchange-online': exchange, 'google-workspace': google } =
  SENDING_LIMIT_PRESETS;

/** How much mail the tenant's server takes: a provider's limits, or its own. */
export const limitKeys: readonly SettingKeyDefinition[] = [
  {
    key: SMTP_KEYS.limitPreset,
    label: 'Provider limits',
    description: `The sending limits of your provider, counted across all portal replicas. exchange-online: an Exchange Online mailbox, ${exchange.perMinute} messages a minute and ${exchange.perDay!.toLocaleString('en-US')} recipients a day. google-workspace: a Google Workspace account, ${google.perDay!.toLocaleString('en-US')} recipients a day. SMTP.RateLimit and SMTP.DailyLimit, where set, take the place of the preset's numbers. When the day's quota is used up, delivery pauses until it frees up again, and the delivery view says so.`,
    type: 'choice',
    required: false,
    secret: false,
    choices: ['exchange-online', 'google-workspace'],
    suggestedValue: values =>
      limitPresetForServer(values.get(SMTP_KEYS.server), transportOf(values)),
  },
  {
    key: SMTP_KEYS.dailyLimit,
    label: 'Recipients per day',
    description:
      'The most recipients mail goes to through your server in any 24 hours, across all portal replicas. When they are used up, delivery pauses until the oldest of them are 24 hours old. When not set: the limit of SMTP.LimitPreset, or none.',
    type: 'positiveInteger',
    required: false,
    secret: false,
  },
];
