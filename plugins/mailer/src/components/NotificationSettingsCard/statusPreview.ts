// Where mail would go after saving the form, by the backend's own rule
// (mailerStatusOf from mailer-common), so the card can say it before saving.
import {
  customSenderOf,
  MailerStatus,
  mailerStatusOf,
  NotificationSettingsResponse,
  SettingView,
} from '@elixeum/plugin-mailer-common';
import { SettingField } from './settingsForm';

/**
 * The settings as stored after a save of `fields`, as the status rule reads
 * them: a kept secret counts as set; a blank field, a stored secret that
 * must be typed again and one the save removes do not.
 */
export function valuesAfterSave(fields: SettingField[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const field of fields) {
    const { definition, value, stored, mustReenter, removedOnSave } = field;
    if (value !== '') values.set(definition.key, value);
    else if (definition.secret && stored && !mustReenter && !removedOnSave) {
      values.set(definition.key, 'set');
    }
  }
  return values;
}

/** The stored settings as the status rule reads them. */
function storedValues(settings: SettingView[]): Map<string, string> {
  return new Map(
    settings.map(s => [s.key, s.secret ? 'set' : (s.value ?? '')] as const),
  );
}

/**
 * The default mailbox's sender, when the saved status tells it: it is the
 * status's sender unless the tenant's own sender is in use.
 */
export function knownDefaultSender(
  saved: NotificationSettingsResponse,
): string | undefined {
  const { status, settings } = saved;
  if (status.server === 'default') return status.sender;
  return customSenderOf(storedValues(settings)) === undefined
    ? status.sender
    : undefined;
}

/**
 * Where mail goes once the form is saved. `sender` is empty when it is the
 * default mailbox's and the saved status does not tell which address that is.
 */
export function previewStatus(
  fields: SettingField[],
  saved: NotificationSettingsResponse,
): MailerStatus {
  return mailerStatusOf(
    valuesAfterSave(fields),
    knownDefaultSender(saved) ?? '',
  );
}

/** Whether the preview says something other than the saved status. */
export function statusChanges(
  preview: MailerStatus,
  saved: MailerStatus,
): boolean {
  return preview.server !== saved.server || preview.sender !== saved.sender;
}
