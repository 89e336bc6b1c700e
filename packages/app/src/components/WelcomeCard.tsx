import { InfoCard, Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Typography from '@material-ui/core/Typography';
import { MailerApi, mailerApiRef } from '@elixeum/plugin-mailer';
import { useEffect, useState } from 'react';

type MailerStatus = Awaited<ReturnType<MailerApi['getStatus']>>;

const settingsLink = <Link to="/email-settings">Email settings</Link>;

/**
 * Where this portal's mail goes now, as the mailer says (the default mailbox
 * or the tenant's own server), read again after each save.
 */
export function WelcomeCard() {
  const mailerApi = useApi(mailerApiRef);
  const [status, setStatus] = useState<MailerStatus>();
  const [error, setError] = useState(false);
  useEffect(() => {
    let current = true;
    const read = () =>
      mailerApi.getStatus().then(
        next => current && (setStatus(next), setError(false)),
        () => current && setError(true),
      );
    read();
    const stop = mailerApi.onSettingsChanged(read);
    return () => {
      current = false;
      stop();
    };
  }, [mailerApi]);

  let text;
  if (status?.server === 'custom') {
    text = (
      <>
        The mail of this portal goes out through your own server
        {status.sender ? ` as ${status.sender}` : ''}. Change it in the{' '}
        {settingsLink}.
      </>
    );
  } else if (status) {
    text = (
      <>
        The mail of this portal goes out from the default mailbox
        {status.sender ? ` (${status.sender})` : ''} until you set up your own
        server in the {settingsLink}.
      </>
    );
  } else if (error) {
    // E.g. a user who may not read the settings: where they are is still useful.
    text = <>How this portal sends email is set up in the {settingsLink}.</>;
  }
  return (
    <InfoCard title="Welcome">
      <Typography variant="body1">{text}</Typography>
    </InfoCard>
  );
}
