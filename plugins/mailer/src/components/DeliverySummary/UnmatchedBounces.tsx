import { useApi } from '@backstage/core-plugin-api';
import { BounceReport } from '@elixeum/plugin-mailer-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import useAsync from 'react-use/esm/useAsync';
import { mailerApiRef } from '../../api/MailerApi';
import { When } from './When';

/** Reports listed, at most: the newest. */
const SHOWN = 5;

const useStyles = makeStyles(theme => ({
  list: { margin: theme.spacing(0.5, 0, 0), paddingLeft: theme.spacing(2.5) },
}));

function recipientsText(report: BounceReport): string {
  return report.recipients
    .map(r => `${r.address}${r.status ? ` (${r.status})` : ''}`)
    .join(', ');
}

/**
 * A line in the delivery view for delivery status notifications that
 * matched no message (or could not be read): the mailer kept them instead
 * of dropping them, and says so, with the newest few and why each was not
 * matched. Nothing is shown while there are none. `refreshKey` reads them
 * again whenever it changes (the summary was read again).
 */
export function UnmatchedBounces(props: { refreshKey?: unknown }) {
  const classes = useStyles();
  const mailerApi = useApi(mailerApiRef);
  const { value } = useAsync(
    () => mailerApi.listBounceReports({ unmatchedOnly: true }),
    [mailerApi, props.refreshKey],
  );
  if (!value || value.unmatched === 0) return null;
  const count = value.unmatched;
  return (
    <Box mt={2}>
      <Alert severity="info" role="status">
        <AlertTitle>
          {count === 1
            ? '1 bounce report matched no message'
            : `${count} bounce reports matched no message`}
        </AlertTitle>
        They are kept, not dropped: the mailer could not tell which message they
        are about, so no address was suppressed for them.
        <ul className={classes.list}>
          {value.items.slice(0, SHOWN).map(report => (
            <li key={report.id}>
              <Typography variant="body2" component="span">
                <When iso={report.receivedAt} />
                {report.reportingMta && ` from ${report.reportingMta}`}
                {report.recipients.length > 0 &&
                  ` about ${recipientsText(report)}`}
                : {report.reason ?? 'not matched'}
              </Typography>
            </li>
          ))}
        </ul>
      </Alert>
    </Box>
  );
}
