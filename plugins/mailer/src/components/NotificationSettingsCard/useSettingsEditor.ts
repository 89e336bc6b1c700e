import { useApi } from '@backstage/core-plugin-api';
import { NotificationSettingsResponse } from '@elixeum/plugin-mailer-common';
import { useMemo, useState } from 'react';
import { mailerApiRef } from '../../api/MailerApi';
import { errorMessage } from './errorMessage';
import {
  addableKeys,
  addedFieldValue,
  formFields,
  initialFormValues,
  settingsChange,
} from './settingsForm';

/** Where the last save stands. */
export type SaveState =
  | { status: 'idle' | 'saving' | 'saved' }
  | { status: 'failed'; message: string };

/**
 * One editing session of the settings: the saved state, the form on top of
 * it, and saving the difference in one request.
 */
export function useSettingsEditor(loaded: NotificationSettingsResponse) {
  const mailerApi = useApi(mailerApiRef);
  const [saved, setSaved] = useState(loaded);
  const [values, setValues] = useState(() =>
    initialFormValues(loaded.settings),
  );
  const [save, setSave] = useState<SaveState>({ status: 'idle' });

  const fields = useMemo(
    () => formFields(values, saved.settings),
    [values, saved],
  );
  const change = useMemo(
    () => settingsChange(values, saved.settings),
    [values, saved],
  );
  const valid = fields.every(field => !field.problem);
  const dirty = Object.keys(change).length > 0;

  function edit(next: (current: typeof values) => typeof values) {
    setValues(next);
    // A success or failure message would be stale once the form changes again.
    setSave(current =>
      current.status === 'saving' ? current : { status: 'idle' },
    );
  }

  async function saveChanges() {
    if (!valid || !dirty || save.status === 'saving') return;
    setSave({ status: 'saving' });
    try {
      const next = await mailerApi.updateSettings({ values: change });
      setSaved(next);
      setValues(initialFormValues(next.settings));
      setSave({ status: 'saved' });
    } catch (error) {
      // The form keeps the edits, so the user can fix them and save again.
      setSave({ status: 'failed', message: errorMessage(error) });
    }
  }

  return {
    saved,
    fields,
    change,
    valid,
    dirty,
    save,
    addableKeys: addableKeys(values),
    setValue: (key: string, value: string) =>
      edit(v => ({ ...v, [key]: value })),
    addKey: (key: string) =>
      edit(v => ({ ...v, [key]: addedFieldValue(key, saved.settings) })),
    removeKey: (key: string) => edit(({ [key]: _removed, ...rest }) => rest),
    saveChanges,
  };
}
