import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { ConnectionTestResult } from '@elixeum/plugin-mailer-common';

/** What a connection test found: the outcome, what to do about it, and the server's reply. */
export function ConnectionTestResultView(props: {
  result: ConnectionTestResult;
}) {
  const { message, advice, reply, outcome } = props.result;
  const replyText = [reply?.responseCode, reply?.response]
    .filter(Boolean)
    .join(' ');
  return (
    <Alert severity={outcome === 'success' ? 'success' : 'error'}>
      <AlertTitle>{message}</AlertTitle>
      {advice && <Typography variant="body2">{advice}</Typography>}
      {replyText && (
        <Typography variant="body2">
          The server replied: <code>{replyText}</code>
        </Typography>
      )}
    </Alert>
  );
}
