import { useApi } from '@backstage/core-plugin-api';
import { findSettingKey } from '@elixeum/plugin-mailer-common';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import useAsync from 'react-use/esm/useAsync';
import { mailerApiRef } from '../../api/MailerApi';

/**
 * Says which stored secrets the portal can no longer read because their
 * encryption key was removed, and who can fix it. Shows nothing otherwise,
 * and nothing when the status cannot be read (the settings card says why).
 */
export function MissingKeyNotice() {
  const mailerApi = useApi(mailerApiRef);
  const { value: status } = useAsync(() => mailerApi.getStatus(), [mailerApi]);
  const missing = status?.secretsWithMissingKey ?? [];
  if (missing.length === 0) return null;
  const keyIds = [...new Set(missing.map(m => `"${m.keyId}"`))].join(', ');
  return (
    <Alert severity="error" style={{ marginBottom: 16 }}>
      <AlertTitle>Mail through your SMTP server is waiting</AlertTitle>
      {missing.map(({ key, keyId }) => (
        <div key={key}>
          <code>{key}</code>
          {findSettingKey(key) && ` (${findSettingKey(key)!.label})`} was stored
          with encryption key "{keyId}", which this portal no longer has.
        </div>
      ))}
      <div>
        Ask your portal operator to add key {keyIds} back to
        mailer.encryption.keys, or enter {missing.length > 1 ? 'them' : 'it'}{' '}
        again.
      </div>
    </Alert>
  );
}
