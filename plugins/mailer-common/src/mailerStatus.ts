import { isEmailAddress } from './addressSyntax';
import { SMTP_KEYS } from './catalog/keys';
import { SettingValues } from './catalog/types';
import { MailerStatus } from './settingsApi';
import { findMissingRequiredKeys } from './settingRequirements';

/**
 * The From address of a tenant's own server: `SMTP.From`, else the username
 * when it is a mail address (as with Office 365 and Gmail). Undefined: the
 * default mailbox's sender is used.
 *
 * @public
 */
export function customSenderOf(values: SettingValues): string | undefined {
  const from = values.get(SMTP_KEYS.from);
  if (from) return from;
  const username = values.get(SMTP_KEYS.username);
  return username && isEmailAddress(username) ? username : undefined;
}

/**
 * Which server a tenant's mail goes through, given the keys it has set, and
 * as whom. Secrets only need to be present in `values`, not readable. The
 * backend answers with it, and the card previews unsaved edits with it.
 *
 * @public
 */
export function mailerStatusOf(
  values: SettingValues,
  defaultSender: string,
): MailerStatus {
  const missingKeys = findMissingRequiredKeys(values);
  if (missingKeys.length > 0) {
    return { server: 'default', missingKeys, sender: defaultSender };
  }
  return {
    server: 'custom',
    missingKeys,
    sender: customSenderOf(values) ?? defaultSender,
  };
}
