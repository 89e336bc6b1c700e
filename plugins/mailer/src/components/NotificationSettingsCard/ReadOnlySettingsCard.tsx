import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { NotificationSettingsResponse } from '@elixeum/plugin-mailer-common';
import { CertificateCheckWarning } from './CertificateCheckWarning';
import { DkimKeyPanel } from './DkimKeyPanel';
import { MailerStatusLine } from './MailerStatusLine';
import { MissingKeyNotice } from './MissingKeyNotice';
import { ReadOnlySettings } from './ReadOnlySettings';

/** The settings for someone who may read them but not change them. */
export function ReadOnlySettingsCard(props: {
  loaded: NotificationSettingsResponse;
}) {
  const { settings, status } = props.loaded;
  const values = new Map(
    settings.map(s => [s.key, s.secret ? 'set' : (s.value ?? '')] as const),
  );
  return (
    <InfoCard title="Outgoing email">
      <MailerStatusLine
        saved={status}
        preview={status}
        hasSettings={settings.length > 0}
      />
      <MissingKeyNotice
        secrets={status.secretsWithMissingKey ?? []}
        canEnter={false}
      />
      <CertificateCheckWarning values={values} />
      <Box mt={1}>
        <Typography variant="body2">
          You can view these settings but not change them: that needs the
          permission to manage them (mailer.settings.manage).
        </Typography>
      </Box>
      {settings.length === 0 ? (
        <Box mt={2}>
          <Typography variant="body2">No settings yet.</Typography>
        </Box>
      ) : (
        <ReadOnlySettings settings={settings} />
      )}
      <DkimKeyPanel saved={props.loaded} />
    </InfoCard>
  );
}
