import Box from '@material-ui/core/Box';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { SMTP_KEYS, usesSmtp } from '@elixeum/plugin-mailer-common';
import { SettingKeyName } from './SettingKeyName';

/**
 * Shown while `SMTP.TLS.RejectUnauthorized` is false, stored or typed: the
 * portal then sends the password and every message to whoever answers.
 */
export function CertificateCheckWarning(props: {
  values: ReadonlyMap<string, string>;
}) {
  const { values } = props;
  if (
    !usesSmtp(values) ||
    values.get(SMTP_KEYS.tlsRejectUnauthorized) !== 'false'
  ) {
    return null;
  }
  return (
    <Box mt={2}>
      <Alert severity="warning" role="note">
        <AlertTitle>Certificate checks are off</AlertTitle>
        With <SettingKeyName name={SMTP_KEYS.tlsRejectUnauthorized} /> set to
        false, the portal accepts any certificate: anyone on the network path to
        your SMTP server can pose as it and read the password and every message.
        Set it back to true, and if the server&apos;s certificate comes from
        your own authority, put that authority&apos;s certificate in{' '}
        <SettingKeyName name={SMTP_KEYS.tlsCa} /> instead.
      </Alert>
    </Box>
  );
}
