import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { DeliverySummary } from '@elixeum/plugin-mailer-common';
import { Addresses } from './Addresses';
import { CampaignSubject } from './CampaignSubject';
import { replyText } from './deliveryText';
import { When } from './When';

const useStyles = makeStyles({
  // A server reply may hold long tokens (queue ids, URLs): they may break.
  reply: { overflowWrap: 'anywhere' },
});

/** The latest messages that could not be delivered, with the server's reply and what it means. */
export function FailureTable(props: {
  failures: DeliverySummary['recentFailures'];
}) {
  const classes = useStyles();
  const { failures } = props;
  return (
    <Table size="small" aria-label="Recent failures">
      <TableHead>
        <TableRow>
          <TableCell>Recipients</TableCell>
          <TableCell>Server reply</TableCell>
          <TableCell>Failed</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {failures.map(failure => {
          const reply = replyText(failure.reply);
          return (
            <TableRow key={failure.id}>
              <TableCell>
                <Addresses addresses={failure.recipients} />
                <Typography
                  variant="caption"
                  color="textSecondary"
                  display="block"
                >
                  <CampaignSubject
                    subject={failure.subject}
                    kind={failure.kind}
                  />
                </Typography>
              </TableCell>
              <TableCell className={classes.reply}>
                {/* nodemailer's own code (EENVELOPE) only as a tooltip: it means little to a reader. */}
                {reply ? (
                  <code title={failure.reply?.code}>{reply}</code>
                ) : (
                  'No reply'
                )}
                {/* What the reply means, when the portal knows (a receiver's refusal of the sender). */}
                {failure.explanation && (
                  <Typography variant="body2" component="div">
                    {failure.explanation.message}{' '}
                    <Typography
                      variant="body2"
                      color="textSecondary"
                      component="span"
                    >
                      {failure.explanation.advice}
                    </Typography>
                  </Typography>
                )}
              </TableCell>
              <TableCell>
                <When iso={failure.failedAt} />
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
