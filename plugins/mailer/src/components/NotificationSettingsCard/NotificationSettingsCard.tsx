import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import Typography from '@material-ui/core/Typography';
import { usePermission } from '@backstage/plugin-permission-react';
import { mailerSettingsManagePermission } from '@elixeum/plugin-mailer-common';
import useAsync from 'react-use/esm/useAsync';
import { mailerApiRef } from '../../api/MailerApi';
import { ReadOnlySettingsCard } from './ReadOnlySettingsCard';
import { SettingsEditor } from './SettingsEditor';

/** Shown instead of the settings to someone who may not read them. */
export const NO_SETTINGS_ACCESS =
  'You cannot see these settings: that needs the permission to read them (mailer.settings.read).';

/** The card where a tenant sees and sets up how its portal sends email. */
export function NotificationSettingsCard() {
  const mailerApi = useApi(mailerApiRef);
  const { value, loading, error } = useAsync(
    () => mailerApi.getSettings(),
    [mailerApi],
  );
  // Until the answer is in, the card waits rather than offering edits it may refuse.
  const permission = usePermission({
    permission: mailerSettingsManagePermission,
  });
  const { allowed } = permission;

  if (value && !permission.loading) {
    return allowed ? (
      <SettingsEditor loaded={value} />
    ) : (
      <ReadOnlySettingsCard loaded={value} />
    );
  }
  return (
    <InfoCard title="Outgoing email">
      {(loading || permission.loading) && <Progress />}
      {error instanceof ResponseError && error.statusCode === 403 ? (
        <Typography variant="body2" color="textSecondary">
          {NO_SETTINGS_ACCESS}
        </Typography>
      ) : (
        error && <ResponseErrorPanel error={error} />
      )}
    </InfoCard>
  );
}
