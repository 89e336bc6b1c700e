import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useApi } from '@backstage/core-plugin-api';
import {
  ConnectionTestRequest,
  ConnectionTestResult,
  isEmailAddress,
  SettingsChange,
} from '@elixeum/plugin-mailer-common';
import { useState } from 'react';
import { mailerApiRef } from '../../api/MailerApi';
import { ConnectionTestResultView } from './ConnectionTestResultView';
import { errorMessage } from './errorMessage';

type TestState =
  | { status: 'idle' | 'running' }
  | { status: 'done'; result: ConnectionTestResult }
  | { status: 'failed'; message: string };

/**
 * Tests the settings as edited, before they are saved: a blank secret means
 * the stored one, exactly as a save would treat it.
 */
export function ConnectionTestPanel(props: {
  change: SettingsChange;
  disabled: boolean;
}) {
  const { change, disabled } = props;
  const mailerApi = useApi(mailerApiRef);
  const [sendTo, setSendTo] = useState('');
  const [test, setTest] = useState<TestState>({ status: 'idle' });
  const running = test.status === 'running';
  const sendToProblem =
    sendTo && !isEmailAddress(sendTo)
      ? 'Enter a mail address such as you@example.com'
      : undefined;

  async function runTest(request: ConnectionTestRequest) {
    setTest({ status: 'running' });
    try {
      setTest({
        status: 'done',
        result: await mailerApi.testConnection(request),
      });
    } catch (error) {
      setTest({ status: 'failed', message: errorMessage(error) });
    }
  }

  return (
    <Box mt={3}>
      <Typography variant="subtitle1">Check the settings</Typography>
      <Box
        display="flex"
        alignItems="flex-start"
        flexWrap="wrap"
        style={{ gap: 8 }}
      >
        <Box mt={2}>
          <Button
            variant="outlined"
            disabled={disabled || running}
            onClick={() => runTest({ values: change })}
          >
            Test connection
          </Button>
        </Box>
        <TextField
          id="mailer-test-recipient"
          label="Test email address"
          value={sendTo}
          onChange={event => setSendTo(event.target.value)}
          error={Boolean(sendToProblem)}
          helperText={sendToProblem}
          size="small"
          variant="outlined"
          margin="normal"
        />
        <Box mt={2}>
          <Button
            variant="outlined"
            disabled={disabled || running || !sendTo || Boolean(sendToProblem)}
            onClick={() => runTest({ values: change, sendTo })}
          >
            Send test email
          </Button>
        </Box>
        {running && (
          <Box mt={2.5}>
            <CircularProgress size={24} aria-label="Testing" />
          </Box>
        )}
      </Box>
      {test.status === 'done' && (
        <ConnectionTestResultView result={test.result} />
      )}
      {test.status === 'failed' && (
        <Alert severity="error">{test.message}</Alert>
      )}
    </Box>
  );
}
