import Box from '@material-ui/core/Box';
import Alert from '@material-ui/lab/Alert';
import { SettingKeyName } from './SettingKeyName';

/**
 * Says, before saving, which stored secrets the save removes because the
 * edited settings no longer use them (the password, once the login method
 * is xoauth2 or mail goes through Microsoft Graph): the server removes them
 * with the change, so a later switch back asks for them again.
 */
export function SecretsRemovedOnSave(props: { keys: string[] }) {
  const { keys } = props;
  if (keys.length === 0) return null;
  return (
    <Box mt={2}>
      <Alert severity="info" role="note">
        {keys.map(key => (
          <div key={key}>
            Saving removes the stored <SettingKeyName name={key} />: the new
            login method does not use it.
          </div>
        ))}
        <div>
          Switching back later asks for {keys.length > 1 ? 'them' : 'it'} again.
        </div>
      </Alert>
    </Box>
  );
}
