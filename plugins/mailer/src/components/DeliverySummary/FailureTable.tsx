import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { DeliverySummary } from '@elixeum/plugin-mailer-common';
import { replyText } from './deliveryText';
import { When } from './When';

/** The latest messages that could not be delivered, with the server's reply. */
export function FailureTable(props: {
  failures: DeliverySummary['recentFailures'];
  /** Subjects by campaign id, to say which mailing a failure belongs to. */
  subjects: ReadonlyMap<string, string>;
}) {
  const { failures, subjects } = props;
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
          const subject = subjects.get(failure.campaignId);
          const reply = replyText(failure.reply);
          return (
            <TableRow key={failure.id}>
              <TableCell>
                {failure.recipients.join(', ')}
                {subject && (
                  <Typography
                    variant="caption"
                    color="textSecondary"
                    display="block"
                  >
                    {subject}
                  </Typography>
                )}
              </TableCell>
              <TableCell>{reply ? <code>{reply}</code> : 'No reply'}</TableCell>
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
