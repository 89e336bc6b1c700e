import { useApi } from '@backstage/core-plugin-api';
import { NotificationSettingsResponse } from '@elixeum/plugin-mailer-common';
import { useMemo, useState } from 'react';
import { mailerApiRef } from '../../api/MailerApi';
import { errorKey, errorMessage } from './errorMessage';
import {
  addableKeys,
  addedFieldValue,
  fatesOnSave,
  formFields,
  initialFormValues,
  settingsChange,
} from './settingsForm';
import { refusedKeys } from './refusedKeys';
import { previewStatus, valuesAfterSave } from './statusPreview';
import { useProblemVisibility } from './useProblemVisibility';

/**
 * Where the last save stands. A refusal of a save or of a connection test
 * is kept here, the one place it is shown, so it never shows twice.
 */
export type SaveState =
  | { status: 'idle' | 'saving' }
  | { status: 'saved'; message?: string }
  | {
      status: 'failed';
      message: string;
      during: 'save' | 'test';
      /** The key the server's error body names, if any. */
      key?: string;
    };

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
  const problems = useProblemVisibility();

  const fields = useMemo(
    () => formFields(values, saved.settings, saved.status),
    [values, saved],
  );
  const change = useMemo(
    () => settingsChange(values, saved.settings),
    [values, saved],
  );
  const valid = fields.every(field => !field.problem);
  const secretsRemovedOnSave = fields
    .filter(field => field.removedOnSave)
    .map(field => field.definition.key);
  const dirty = Object.keys(change).length > 0;

  /** A success or failure message would be stale once the form changes, or a test runs. */
  function clearSaveMessage() {
    setSave(current =>
      current.status === 'saving' ? current : { status: 'idle' },
    );
  }

  function edit(next: (current: typeof values) => typeof values) {
    setValues(next);
    clearSaveMessage();
  }

  async function saveChanges() {
    if (!dirty || save.status === 'saving') return;
    if (!valid) {
      problems.revealAll();
      return;
    }
    setSave({ status: 'saving' });
    try {
      const next = await mailerApi.updateSettings({ values: change });
      setSaved(next);
      setValues(initialFormValues(next.settings));
      problems.reset();
      setSave({ status: 'saved' });
    } catch (error) {
      // The form keeps the edits, so the user can fix them and save again.
      setSave({
        status: 'failed',
        message: errorMessage(error),
        during: 'save',
        key: errorKey(error),
      });
    }
  }

  return {
    saved,
    fields,
    /** What the server said about each key of the form its last refusal named. */
    refused:
      save.status === 'failed'
        ? refusedKeys(
            save.message,
            fields.map(f => f.definition.key),
            save.key,
          )
        : {},
    /** The settings as they will be stored after saving, as the shared rules read them. */
    valuesAfterSave: valuesAfterSave(fields),
    /** Where mail goes once the form is saved. */
    preview: previewStatus(fields, saved),
    change,
    /** The stored secrets this save removes because the edited settings no longer use them. */
    secretsRemovedOnSave,
    /** What the save does to each key it touches. */
    fatesOnSave: fatesOnSave(change, secretsRemovedOnSave),
    valid,
    dirty,
    save,
    problems,
    addableKeys: addableKeys(values),
    setValue: (key: string, value: string) => {
      problems.typed(key);
      edit(v => ({ ...v, [key]: value }));
    },
    addKey: (key: string) =>
      edit(v => ({ ...v, [key]: addedFieldValue(key, saved.settings, v) })),
    removeKey: (key: string) => {
      problems.forget(key);
      edit(({ [key]: _removed, ...rest }) => rest);
    },
    saveChanges,
    clearSaveMessage,
    /** A connection test was refused: shown where a refused save is, instead of it. */
    testRefused: (message: string, key?: string) =>
      setSave({ status: 'failed', message, during: 'test', key }),
    /** Starts the form afresh from settings changed elsewhere (e.g. a DKIM key made), when nothing is unsaved. */
    reload: (next: NotificationSettingsResponse, savedMessage?: string) => {
      setSaved(next);
      setValues(initialFormValues(next.settings));
      problems.reset();
      if (savedMessage) setSave({ status: 'saved', message: savedMessage });
    },
  };
}
