import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  SENDER_CHECK_LABELS,
  SenderCheckItem,
  SenderCheckResult,
  SenderCheckStatus,
} from '@elixeum/plugin-mailer-common';
import { lastResultOf, SenderCheckState } from './useSenderCheck';

const STATUS_TEXT: Record<SenderCheckStatus, string> = {
  pass: 'Pass',
  warn: 'Warning',
  fail: 'Fail',
  unchecked: 'Not checked',
};

const useStyles = makeStyles(theme => ({
  list: { listStyle: 'none', padding: 0, margin: theme.spacing(1, 0, 0) },
  item: { marginBottom: theme.spacing(1) },
  status: { fontWeight: theme.typography.fontWeightBold as number },
  pass: { color: theme.palette.success.main },
  warn: { color: theme.palette.warning.dark },
  fail: { color: theme.palette.error.main },
  unchecked: { color: theme.palette.text.secondary },
  // A record is copied as it is: long keys may break anywhere.
  record: {
    fontFamily: 'monospace',
    overflowWrap: 'anywhere',
    whiteSpace: 'pre-wrap',
    margin: theme.spacing(0.5, 0, 0),
  },
}));

function CheckLine(props: { item: SenderCheckItem }) {
  const classes = useStyles();
  const { check, status, message, advice, record } = props.item;
  return (
    <li
      className={classes.item}
      aria-label={`${SENDER_CHECK_LABELS[check]} check`}
    >
      <Typography variant="body2">
        <span className={`${classes.status} ${classes[status]}`}>
          {STATUS_TEXT[status]}
        </span>{' '}
        <strong>{SENDER_CHECK_LABELS[check]}:</strong> {message}
      </Typography>
      {advice && (
        <Typography variant="body2" color="textSecondary">
          {advice}
        </Typography>
      )}
      {record && (
        <Box
          component="pre"
          className={classes.record}
          aria-label={`${record.type} record to publish`}
        >
          {`${record.name} ${record.type}\n${record.value}`}
        </Box>
      )}
    </li>
  );
}

/** Each check of a result, on its own line. */
export function SenderCheckList(props: { result: SenderCheckResult }) {
  const classes = useStyles();
  return (
    <ul className={classes.list} aria-label="Sender check">
      {props.result.checks.map(item => (
        <CheckLine key={item.check} item={item} />
      ))}
    </ul>
  );
}

/**
 * Whether the sender's mail can reach the inbox: the SPF, DKIM and DMARC
 * records of its domain, checked with each connection test and on demand.
 */
export function SenderCheckPanel(props: {
  state: SenderCheckState;
  /** Checks again, reading DNS afresh. */
  onCheck: () => void;
}) {
  const { state, onCheck } = props;
  const result = lastResultOf(state);
  const running = state.status === 'running';
  return (
    <Box mt={3}>
      <Typography variant="subtitle1">Will it reach the inbox?</Typography>
      <Typography variant="body2" color="textSecondary">
        {result
          ? `The DNS records of ${result.domain}, for ${result.sender} (${
              result.server === 'default'
                ? 'the default mailbox'
                : 'your SMTP server'
            }), as Gmail, Yahoo and Outlook.com read them.`
          : "The sender's SPF, DKIM and DMARC records, as Gmail, Yahoo and Outlook.com read them."}
      </Typography>
      <Box display="flex" alignItems="center" mt={1} style={{ gap: 16 }}>
        <Button variant="outlined" disabled={running} onClick={onCheck}>
          Check sender
        </Button>
        {running && (
          <CircularProgress size={24} aria-label="Checking the sender" />
        )}
      </Box>
      {result && <SenderCheckList result={result} />}
      {state.status === 'failed' && (
        <Box mt={1}>
          <Alert severity="error">{state.message}</Alert>
        </Box>
      )}
    </Box>
  );
}
