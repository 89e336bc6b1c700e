import Box from '@material-ui/core/Box';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { findSettingKey, MailerStatus } from '@elixeum/plugin-mailer-common';
import { SettingKeyName } from './SettingKeyName';
import { FateOnSave } from './settingsForm';

/** A stored secret whose encryption key the portal no longer has. */
export type SecretWithMissingKey = NonNullable<
  MailerStatus['secretsWithMissingKey']
>[number];

/**
 * Says which stored secrets the portal can no longer read because their
 * encryption key was removed, and what to do: enter them again (someone who
 * manages the settings) or have the portal operator add the key back.
 * Shows nothing while every secret can be read.
 */
export function MissingKeyNotice(props: {
  secrets: SecretWithMissingKey[];
  /** The reader may change the settings, so can enter the secrets again. */
  canEnter: boolean;
  /** What the unsaved edits do to each listed secret, by key. */
  pending?: Readonly<Record<string, FateOnSave>>;
}) {
  const { secrets, canEnter, pending = {} } = props;
  if (secrets.length === 0) return null;
  const keyIds = [...new Set(secrets.map(s => s.keyId))];
  const it = secrets.length > 1 ? 'them' : 'it';
  const keys = `${keyIds.length > 1 ? 'keys' : 'key'} ${keyIds
    .map(id => `"${id}"`)
    .join(', ')}`;
  const addBack = `add encryption ${keys} back to mailer.encryption.keys.`;
  return (
    <Box mt={2}>
      <Alert severity="error">
        <AlertTitle>Mail through your SMTP server is waiting</AlertTitle>
        {secrets.map(({ key, keyId }) => {
          const label = findSettingKey(key)?.label;
          return (
            <div key={key}>
              <SettingKeyName name={key} />
              {label && ` (${label})`}
              {` was stored with encryption key "${keyId}", which this portal no longer has.`}
              {pending[key] === 'replaced' &&
                ' The value you entered replaces it when you save.'}
              {pending[key] === 'removed' && ' Saving removes it.'}
            </div>
          );
        })}
        <div>
          {canEnter
            ? `Enter ${it} again and save, or ask your portal operator to ${addBack}`
            : `Someone who manages these settings can enter ${it} again, or your portal operator can ${addBack}`}
        </div>
      </Alert>
    </Box>
  );
}
