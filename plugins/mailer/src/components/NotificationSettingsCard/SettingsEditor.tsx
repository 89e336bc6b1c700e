import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  NotificationSettingsResponse,
  SMTP_KEYS,
} from '@elixeum/plugin-mailer-common';
import { SetUpServerButton } from '../ProviderPresets/SetUpServerButton';
import { AddSettingButton } from './AddSettingButton';
import { useEffect } from 'react';
import { CertificateCheckWarning } from './CertificateCheckWarning';
import { ConnectionTestPanel } from './ConnectionTestPanel';
import { DeliverabilityLine } from './DeliverabilityLine';
import { DkimKeyPanel } from './DkimKeyPanel';
import { MailerStatusLine } from './MailerStatusLine';
import { MissingKeyNotice } from './MissingKeyNotice';
import { RefusalNotice } from './RefusalNotice';
import { SecretsRemovedOnSave } from './SecretsRemovedOnSave';
import { SenderCheckPanel } from './SenderCheckPanel';
import { SendingLimitsLine } from './SendingLimitsLine';
import { SettingField } from './SettingField';
import { useConfirmLeave } from './useConfirmLeave';
import { useSenderCheck } from './useSenderCheck';
import { useSettingsEditor } from './useSettingsEditor';

/** The loaded settings as a form: fields, Add, Save, the connection test and the sender check. */
export function SettingsEditor(props: {
  loaded: NotificationSettingsResponse;
}) {
  const editor = useSettingsEditor(props.loaded);
  const saving = editor.save.status === 'saving';
  const problemKeys = editor.fields
    .filter(field => field.problem)
    .map(field => field.definition.key);
  const refusedKeys = Object.keys(editor.refused);
  const canAddCa = editor.addableKeys.some(d => d.key === SMTP_KEYS.tlsCa);
  useConfirmLeave(editor.dirty);
  const senderCheck = useSenderCheck();
  const runSenderCheck = senderCheck.run;
  // The saved sender is checked when the card opens and after each save.
  useEffect(() => {
    runSenderCheck({});
  }, [editor.saved, runSenderCheck]);
  /** Checks the sender of the form as edited, as a connection test tests it. */
  const checkEdited = (refresh: boolean) =>
    runSenderCheck({ values: editor.change, ...(refresh && { refresh }) });

  return (
    <InfoCard
      title="Outgoing email"
      action={
        <Box display="flex" flexWrap="wrap" justifyContent="flex-end">
          <SetUpServerButton
            saved={editor.saved}
            dirty={editor.dirty}
            onSaved={(next, provider) =>
              editor.reload(
                next,
                `${provider} saved. Test the connection below to check it.`,
              )
            }
          />
          <AddSettingButton
            definitions={editor.addableKeys}
            onAdd={editor.addKey}
          />
        </Box>
      }
      actions={
        <Box display="flex" alignItems="center" style={{ gap: 16 }}>
          <Button
            variant="contained"
            color="primary"
            disabled={!editor.dirty || saving}
            onClick={editor.saveChanges}
            startIcon={
              saving ? (
                <CircularProgress size={16} color="inherit" />
              ) : undefined
            }
          >
            {saving ? 'Saving…' : 'Save'}
          </Button>
          {editor.dirty && !saving && (
            <Typography variant="body2" color="textSecondary">
              Unsaved changes
            </Typography>
          )}
        </Box>
      }
    >
      <MailerStatusLine
        saved={editor.saved.status}
        preview={editor.preview}
        hasSettings={editor.fields.length > 0}
      />
      <DeliverabilityLine state={senderCheck.state} />
      <SendingLimitsLine values={editor.valuesAfterSave} />
      <MissingKeyNotice
        secrets={editor.saved.status.secretsWithMissingKey ?? []}
        canEnter
        pending={editor.fatesOnSave}
      />
      <CertificateCheckWarning values={editor.valuesAfterSave} />
      {editor.fields.length === 0 && (
        <Box mt={2}>
          <Typography variant="body2">
            No settings yet. Use Set up a server to send mail through your own
            provider or SMTP server, or Add for a single setting.
          </Typography>
        </Box>
      )}
      {editor.fields.map(field => {
        const key = field.definition.key;
        return (
          <SettingField
            key={key}
            field={field}
            showProblem={editor.problems.shows(key)}
            refusal={editor.refused[key]}
            onChange={value => editor.setValue(key, value)}
            onBlur={() => editor.problems.left(key)}
            onRemove={() => editor.removeKey(key)}
          />
        );
      })}
      <SecretsRemovedOnSave keys={editor.secretsRemovedOnSave} />
      {editor.problems.revealedAll && problemKeys.length > 0 && (
        <Alert severity="error">
          Fix the marked settings first: {problemKeys.join(', ')}.
        </Alert>
      )}
      {editor.save.status === 'saved' && (
        <Alert severity="success">
          {editor.save.message ?? 'Settings saved.'}
        </Alert>
      )}
      <RefusalNotice save={editor.save} refusedKeys={refusedKeys} />
      <ConnectionTestPanel
        change={editor.change}
        valid={editor.valid}
        onInvalid={editor.problems.revealAll}
        onRun={() => {
          editor.clearSaveMessage();
          // The sender is checked with every connection test.
          checkEdited(false);
        }}
        preview={editor.preview}
        onAddCa={canAddCa ? () => editor.addKey(SMTP_KEYS.tlsCa) : undefined}
        onRefused={editor.testRefused}
      />
      <SenderCheckPanel
        state={senderCheck.state}
        onCheck={() =>
          editor.valid ? checkEdited(true) : editor.problems.revealAll()
        }
      />
      <DkimKeyPanel
        saved={editor.saved}
        dirty={editor.dirty}
        onGenerated={editor.reload}
      />
    </InfoCard>
  );
}
