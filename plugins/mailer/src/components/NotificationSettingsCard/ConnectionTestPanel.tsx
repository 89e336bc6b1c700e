import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useApi } from '@backstage/core-plugin-api';
import {
  ConnectionTestRequest,
  ConnectionTestResult,
  isEmailAddress,
  MailerStatus,
  SettingsChange,
} from '@elixeum/plugin-mailer-common';
import { useState } from 'react';
import { mailerApiRef } from '../../api/MailerApi';
import { ConnectionTestResultView } from './ConnectionTestResultView';
import { errorKey, errorMessage } from './errorMessage';
import { TestRecipientField } from './TestRecipientField';

type TestState =
  | { status: 'idle' | 'running' }
  | { status: 'done'; result: ConnectionTestResult }
  | { status: 'failed'; message: string };

/**
 * Tests the settings as edited, before they are saved: a blank secret means
 * the stored one, exactly as a save would treat it. While the settings are
 * incomplete, the backend tests the default mailbox instead.
 */
export function ConnectionTestPanel(props: {
  change: SettingsChange;
  /** Whether the form can be tested; otherwise a click shows its problems. */
  valid: boolean;
  onInvalid: () => void;
  /** Called as a test starts. */
  onRun: () => void;
  /** Where mail goes with the edited settings: the server a test reaches. */
  preview: MailerStatus;
  /** Adds `SMTP.TLS.CA` to the form, when it can be added. */
  onAddCa?: () => void;
  /**
   * Shows a refused test (e.g. a 400 naming a key) where the form shows a
   * refused save, so a refusal is shown once; without it, the panel shows it.
   */
  onRefused?: (message: string, key?: string) => void;
}) {
  const { change, valid, onInvalid, onRun, preview, onAddCa, onRefused } =
    props;
  const mailerApi = useApi(mailerApiRef);
  const [sendTo, setSendTo] = useState('');
  const [test, setTest] = useState<TestState>({ status: 'idle' });
  const running = test.status === 'running';
  const sendToProblem =
    sendTo && !isEmailAddress(sendTo)
      ? 'Enter a mail address such as you@example.com'
      : undefined;

  async function runTest(request: ConnectionTestRequest) {
    if (!valid) {
      onInvalid();
      return;
    }
    onRun();
    setTest({ status: 'running' });
    try {
      setTest({
        status: 'done',
        result: await mailerApi.testConnection(request),
      });
    } catch (error) {
      const message = errorMessage(error);
      if (onRefused) {
        setTest({ status: 'idle' });
        onRefused(message, errorKey(error));
      } else {
        setTest({ status: 'failed', message });
      }
    }
  }

  return (
    <Box mt={3}>
      <Typography variant="subtitle1">Check the settings</Typography>
      <Typography variant="body2" color="textSecondary">
        {preview.server === 'default'
          ? `Until your SMTP server is complete, the test goes through the default mailbox${preview.sender ? ` (${preview.sender})` : ''}.`
          : 'The test uses the settings as you see them here, before they are saved.'}
      </Typography>
      <Box
        display="flex"
        alignItems="flex-start"
        flexWrap="wrap"
        style={{ columnGap: 16 }}
      >
        <Box mt={2}>
          <Button
            variant="outlined"
            disabled={running}
            onClick={() => runTest({ values: change })}
          >
            Test connection
          </Button>
        </Box>
        {/* The address and its button wrap as one, so the button stays beside its field. */}
        <Box
          display="flex"
          alignItems="flex-start"
          flexWrap="wrap"
          style={{ columnGap: 8 }}
        >
          <TestRecipientField
            value={sendTo}
            problem={sendToProblem}
            onChange={setSendTo}
          />
          <Box mt={2}>
            <Button
              variant="outlined"
              disabled={running || !sendTo || Boolean(sendToProblem)}
              onClick={() => runTest({ values: change, sendTo })}
            >
              Send test email
            </Button>
          </Box>
        </Box>
        {running && (
          <Box mt={2.5}>
            <CircularProgress size={24} aria-label="Testing" />
          </Box>
        )}
      </Box>
      {test.status === 'done' && (
        <ConnectionTestResultView
          result={test.result}
          defaultSender={preview.server === 'default' ? preview.sender : ''}
          onAddCa={onAddCa}
        />
      )}
      {test.status === 'failed' && (
        <Alert severity="error">{test.message}</Alert>
      )}
    </Box>
  );
}
