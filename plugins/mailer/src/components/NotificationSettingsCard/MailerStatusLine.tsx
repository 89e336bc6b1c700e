import Typography from '@material-ui/core/Typography';
import { findSettingKey, MailerStatus } from '@elixeum/plugin-mailer-common';

/** Which server the saved settings send mail through, and what is missing for the tenant's own. */
export function MailerStatusLine(props: {
  status: MailerStatus;
  hasSettings: boolean;
}) {
  const { status, hasSettings } = props;
  if (status.server === 'custom') {
    return (
      <Typography variant="body1">
        Mail is sent through your SMTP server as {status.sender}.
      </Typography>
    );
  }
  const missing = status.missingKeys.map(
    key => findSettingKey(key)?.label ?? key,
  );
  return (
    <>
      <Typography variant="body1">
        Mail is sent from the default mailbox ({status.sender}).
      </Typography>
      {hasSettings && missing.length > 0 && (
        <Typography variant="body2" color="textSecondary">
          Your SMTP server is used once these are set too: {missing.join(', ')}.
        </Typography>
      )}
    </>
  );
}
