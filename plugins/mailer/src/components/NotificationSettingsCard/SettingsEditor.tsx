import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { NotificationSettingsResponse } from '@elixeum/plugin-mailer-common';
import { AddSettingButton } from './AddSettingButton';
import { ConnectionTestPanel } from './ConnectionTestPanel';
import { MailerStatusLine } from './MailerStatusLine';
import { SettingField } from './SettingField';
import { useSettingsEditor } from './useSettingsEditor';

/** The loaded settings as a form: fields, Add, Save and the connection test. */
export function SettingsEditor(props: {
  loaded: NotificationSettingsResponse;
  readOnly: boolean;
}) {
  const { loaded, readOnly } = props;
  const editor = useSettingsEditor(loaded);
  const saving = editor.save.status === 'saving';

  return (
    <InfoCard
      title="Outgoing email"
      action={
        !readOnly && (
          <AddSettingButton
            definitions={editor.addableKeys}
            onAdd={editor.addKey}
          />
        )
      }
      actions={
        !readOnly && (
          <Button
            variant="contained"
            color="primary"
            disabled={!editor.dirty || !editor.valid || saving}
            onClick={editor.saveChanges}
            startIcon={
              saving ? (
                <CircularProgress size={16} color="inherit" />
              ) : undefined
            }
          >
            {saving ? 'Saving…' : 'Save'}
          </Button>
        )
      }
    >
      <MailerStatusLine
        status={editor.saved.status}
        hasSettings={editor.saved.settings.length > 0}
      />
      {readOnly && (
        <Box mt={1}>
          <Typography variant="body2" color="textSecondary">
            You can view these settings but not change them: that needs the
            permission to manage notification settings.
          </Typography>
        </Box>
      )}
      {editor.saved.settings.length === 0 && editor.fields.length === 0 && (
        <Box mt={2}>
          <Typography variant="body2">
            No settings yet.
            {!readOnly && ' Use Add to send mail through your own SMTP server.'}
          </Typography>
        </Box>
      )}
      {editor.fields.map(field => (
        <SettingField
          key={field.definition.key}
          field={field}
          readOnly={readOnly}
          onChange={value => editor.setValue(field.definition.key, value)}
          onRemove={() => editor.removeKey(field.definition.key)}
        />
      ))}
      {editor.save.status === 'saved' && (
        <Alert severity="success">Settings saved.</Alert>
      )}
      {editor.save.status === 'failed' && (
        <Alert severity="error">{editor.save.message}</Alert>
      )}
      {!readOnly && (
        <ConnectionTestPanel change={editor.change} disabled={!editor.valid} />
      )}
    </InfoCard>
  );
}
