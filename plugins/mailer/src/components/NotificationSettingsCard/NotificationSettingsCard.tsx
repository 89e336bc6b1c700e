import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { mailerSettingsManagePermission } from '@elixeum/plugin-mailer-common';
import useAsync from 'react-use/esm/useAsync';
import { mailerApiRef } from '../../api/MailerApi';
import { SettingsEditor } from './SettingsEditor';

/** The card where a tenant sees and sets up how its portal sends email. */
export function NotificationSettingsCard() {
  const mailerApi = useApi(mailerApiRef);
  const { value, loading, error } = useAsync(
    () => mailerApi.getSettings(),
    [mailerApi],
  );
  // Until the answer is in, the card stays read-only rather than offering edits it may refuse.
  const { allowed } = usePermission({
    permission: mailerSettingsManagePermission,
  });

  if (value) return <SettingsEditor loaded={value} readOnly={!allowed} />;
  return (
    <InfoCard title="Outgoing email">
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
    </InfoCard>
  );
}
