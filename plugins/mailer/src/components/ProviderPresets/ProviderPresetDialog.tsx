import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  findSettingKey,
  NotificationSettingsResponse,
  presetAnswerProblem,
  presetChange,
  presetQuestionsThatApply,
  ProviderPresetQuestion,
} from '@elixeum/plugin-mailer-common';
import { useState } from 'react';
import { mailerApiRef } from '../../api/MailerApi';
import {
  errorKey,
  errorMessage,
} from '../NotificationSettingsCard/errorMessage';
import { refusedKeys } from '../NotificationSettingsCard/refusedKeys';
import { SettingField } from '../NotificationSettingsCard/SettingField';
import { useProblemVisibility } from '../NotificationSettingsCard/useProblemVisibility';
import { OfferedPreset } from './configuredPresets';
import { PresetValues } from './PresetValues';

/** A question as a field of the card: a template's part under its own label. */
function questionField(
  question: ProviderPresetQuestion,
  value: string,
  problem: string | undefined,
) {
  const catalog = findSettingKey(question.key)!;
  const { template } = question;
  const definition = template
    ? {
        ...catalog,
        type: 'text' as const,
        label: template.label,
        description: `e.g. ${template.example}: the server is ${template.text.replace('{}', value || template.example)}.`,
      }
    : catalog;
  return {
    definition,
    value,
    stored: false,
    mustReenter: false,
    removedOnSave: false,
    problem,
  };
}

/**
 * One provider as one form: the values it fills in, the fields only the
 * tenant can fill, checked as the card checks them, and one save of all of
 * it (replacing the previous server's connection and login keys).
 */
export function ProviderPresetDialog(props: {
  offered: OfferedPreset;
  saved: NotificationSettingsResponse;
  onClose: () => void;
  onSaved: (next: NotificationSettingsResponse) => void;
}) {
  const { offered, saved, onClose, onSaved } = props;
  const { preset, docsUrl } = offered;
  const mailerApi = useApi(mailerApiRef);
  const [answers, setAnswers] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      preset.questions.map(q => [q.key, q.initialValue ?? '']),
    ),
  );
  const [saving, setSaving] = useState(false);
  const [refusal, setRefusal] = useState<{ message: string; key?: string }>();
  const problems = useProblemVisibility();

  const questions = presetQuestionsThatApply(preset, answers);
  const problemOf = (q: ProviderPresetQuestion) =>
    presetAnswerProblem(q, answers[q.key] ?? '');
  const valid = questions.every(q => !problemOf(q));
  const refused = refusal
    ? refusedKeys(
        refusal.message,
        questions.map(q => q.key),
        refusal.key,
      )
    : {};
  const asked = new Set(preset.questions.map(q => q.key));
  const filledIn = Object.entries(preset.values).filter(
    ([key]) => !asked.has(key),
  );

  async function save() {
    if (!valid) {
      problems.revealAll();
      return;
    }
    setSaving(true);
    setRefusal(undefined);
    try {
      const change = presetChange(
        preset,
        answers,
        saved.settings.map(s => s.key),
      );
      onSaved(await mailerApi.updateSettings({ values: change }));
    } catch (error) {
      setRefusal({ message: errorMessage(error), key: errorKey(error) });
      setSaving(false);
    }
  }

  return (
    <Dialog
      open
      onClose={saving ? undefined : onClose}
      aria-labelledby="mailer-preset-title"
      maxWidth="sm"
      fullWidth
    >
      <DialogTitle id="mailer-preset-title">Set up {preset.title}</DialogTitle>
      <DialogContent>
        <Typography variant="body2" paragraph>
          {preset.description}
          {docsUrl && (
            <>
              {' '}
              <Link to={docsUrl}>Setup steps for {preset.title}</Link>
            </>
          )}
        </Typography>
        <PresetValues values={filledIn} />
        {questions.map(question => {
          const key = question.key;
          return (
            <SettingField
              key={key}
              id={`mailer-preset-${key}`}
              field={questionField(
                question,
                answers[key] ?? '',
                problemOf(question),
              )}
              hint={question.hint}
              showProblem={problems.shows(key)}
              refusal={refused[key]}
              onChange={value => {
                problems.typed(key);
                setRefusal(undefined);
                setAnswers(current => ({ ...current, [key]: value }));
              }}
              onBlur={() => problems.left(key)}
            />
          );
        })}
        {refusal && Object.keys(refused).length === 0 && (
          <Alert severity="error">{refusal.message}</Alert>
        )}
        <Typography variant="body2" color="textSecondary">
          Saving replaces the server, login and provider limits stored now; the
          sender and DKIM settings stay.
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={saving}>
          Cancel
        </Button>
        <Button
          variant="contained"
          color="primary"
          onClick={save}
          disabled={saving}
          startIcon={
            saving ? <CircularProgress size={16} color="inherit" /> : undefined
          }
        >
          {saving ? 'Saving…' : 'Save'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
