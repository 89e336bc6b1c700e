import { useApi } from '@backstage/core-plugin-api';
import {
  DkimKeyRecord,
  NotificationSettingsResponse,
} from '@elixeum/plugin-mailer-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import { mailerApiRef } from '../../api/MailerApi';
import { errorMessage } from './errorMessage';

const useStyles = makeStyles(theme => ({
  // A record is copied as it is: long keys may break anywhere.
  record: {
    fontFamily: 'monospace',
    overflowWrap: 'anywhere',
    whiteSpace: 'pre-wrap',
    margin: theme.spacing(0.5, 0, 1),
  },
}));

/** The record's strings as a zone file writes them: each quoted, side by side. */
function zoneFileStrings(key: DkimKeyRecord): string {
  return key.strings.map(s => `"${s}"`).join(' ');
}

type Step =
  | { step: 'idle' }
  | { step: 'confirming' }
  | { step: 'generating' }
  | { step: 'failed'; message: string };

/**
 * The DKIM key the portal signs the tenant's mail with: the TXT record to
 * publish (as one value, and as the 255-character strings DNS holds), and
 * a button that makes a new 2048-bit key in the backend (for those who
 * may manage the settings: given `onGenerated`). A new key is
 * stored at once, so only with no unsaved edits; replacing a key asks
 * first, since mail is signed with the new one straight away.
 */
export function DkimKeyPanel(props: {
  /** The settings as saved; the record is read again whenever they change. */
  saved: NotificationSettingsResponse;
  /** The form has unsaved edits: generating would store over them. */
  dirty?: boolean;
  /** The settings after a key was made, to start the form from; absent, the record is only shown. */
  onGenerated?(settings: NotificationSettingsResponse): void;
}) {
  const { saved, dirty, onGenerated } = props;
  const classes = useStyles();
  const mailerApi = useApi(mailerApiRef);
  const [key, setKey] = useState<DkimKeyRecord>();
  const [step, setStep] = useState<Step>({ step: 'idle' });

  useEffect(() => {
    let current = true;
    mailerApi.getDkimKey().then(
      answer => current && setKey(answer.key),
      () => current && setKey(undefined),
    );
    return () => {
      current = false;
    };
  }, [mailerApi, saved]);

  async function generate() {
    setStep({ step: 'generating' });
    try {
      const made = await mailerApi.generateDkimKey({});
      setKey(made.key);
      setStep({ step: 'idle' });
      onGenerated?.(await mailerApi.getSettings());
    } catch (error) {
      setStep({ step: 'failed', message: errorMessage(error) });
    }
  }

  const generating = step.step === 'generating';
  return (
    <Box mt={3} component="section" aria-label="DKIM key">
      <Typography variant="h6" component="h3">
        DKIM key
      </Typography>
      {key ? (
        <>
          <Typography variant="body2">
            The portal signs your mail for {key.domain} with the {key.bits}-bit
            key of selector {key.selector}. Publish this TXT record at{' '}
            <strong>{key.name}</strong>:
          </Typography>
          <Box
            component="pre"
            className={classes.record}
            aria-label="DKIM record"
          >
            {key.value}
          </Box>
          <Typography variant="body2" color="textSecondary">
            DNS keeps it as {key.strings.length} strings of at most 255
            characters; a zone file writes them like this:
          </Typography>
          <Box
            component="pre"
            className={classes.record}
            aria-label="DKIM record strings"
          >
            {zoneFileStrings(key)}
          </Box>
        </>
      ) : (
        <Typography variant="body2">
          The portal does not sign your mail. Gmail, Yahoo and Outlook.com want
          bulk mail signed (DKIM) for the sender's domain: if your server does
          not sign it, generate a key here and publish its record.
        </Typography>
      )}
      {onGenerated && step.step === 'confirming' && (
        <Alert severity="warning">
          A new key gets a new selector, and mail is signed with it at once:
          publish its record right away. Keep the record of {key?.selector} for
          a few days, for mail already on its way.
        </Alert>
      )}
      {step.step === 'failed' && <Alert severity="error">{step.message}</Alert>}
      {onGenerated && (
        <Box mt={1} display="flex" alignItems="center" style={{ gap: 8 }}>
          <Button
            variant="outlined"
            disabled={dirty || generating}
            onClick={() =>
              key && step.step !== 'confirming'
                ? setStep({ step: 'confirming' })
                : generate()
            }
            startIcon={generating ? <CircularProgress size={16} /> : undefined}
          >
            {key && step.step !== 'confirming'
              ? 'Generate a new key'
              : 'Generate key'}
          </Button>
          {step.step === 'confirming' && (
            <Button onClick={() => setStep({ step: 'idle' })}>Cancel</Button>
          )}
          {dirty && (
            <Typography variant="body2" color="textSecondary">
              Save your changes first.
            </Typography>
          )}
        </Box>
      )}
    </Box>
  );
}
