import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import {
  ConnectionTestResult,
  SMTP_KEYS,
  smtpReplyText,
} from '@elixeum/plugin-mailer-common';
import { ConnectionTestDetails } from './ConnectionTestDetails';
import { tlsProblemTitle } from './tlsProblemTitle';

/** Which server the test went through, when the backend says. */
function testedThrough(
  server: ConnectionTestResult['server'],
  defaultSender: string,
): string | undefined {
  if (server === 'default') {
    return defaultSender
      ? `Tested through the default mailbox (${defaultSender}).`
      : 'Tested through the default mailbox.';
  }
  return server === 'custom' ? 'Tested through your SMTP server.' : undefined;
}

/**
 * What a connection test found: which server it went through, what
 * happened, why (for TLS), what to do about it, and the server's reply in
 * words; the codes behind it only under Details.
 */
export function ConnectionTestResultView(props: {
  result: ConnectionTestResult;
  /** The default mailbox's sender, or empty when not known. */
  defaultSender: string;
  /** Adds SMTP.TLS.CA to the form: the way out of an untrusted certificate. */
  onAddCa?: () => void;
}) {
  const { result, defaultSender, onAddCa } = props;
  const { message, advice, reply, outcome, tlsProblem } = result;
  const through = testedThrough(result.server, defaultSender);
  const replyText = smtpReplyText(reply);
  return (
    <Box mt={2}>
      <Alert severity={outcome === 'success' ? 'success' : 'error'}>
        {/* A TLS failure is named by its reason; the sentence says where. */}
        <AlertTitle>
          {tlsProblem ? tlsProblemTitle[tlsProblem] : message}
        </AlertTitle>
        {tlsProblem && <Typography variant="body2">{message}</Typography>}
        {through && <Typography variant="body2">{through}</Typography>}
        {advice && <Typography variant="body2">{advice}</Typography>}
        {/* The tenant's authority is no help with the default mailbox. */}
        {tlsProblem === 'untrusted-certificate' &&
          onAddCa &&
          result.server !== 'default' && (
            <Box mt={1}>
              <Button size="small" variant="outlined" onClick={onAddCa}>
                Add {SMTP_KEYS.tlsCa}
              </Button>
            </Box>
          )}
        {replyText && (
          <Typography variant="body2">
            The server replied: <q>{replyText}</q>
          </Typography>
        )}
        <ConnectionTestDetails result={result} />
      </Alert>
    </Box>
  );
}
