import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { CampaignSummary } from '@elixeum/plugin-mailer-common';
import { countsText } from './deliveryText';
import { When } from './When';

/** The latest mailings: subject, when it was queued, and where its messages stand. */
export function CampaignTable(props: { campaigns: CampaignSummary[] }) {
  return (
    <Table size="small" aria-label="Recent mailings">
      <TableHead>
        <TableRow>
          <TableCell>Subject</TableCell>
          <TableCell>Queued</TableCell>
          <TableCell>Messages</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.campaigns.map(campaign => (
          <TableRow key={campaign.campaignId}>
            <TableCell>{campaign.subject || '(no subject)'}</TableCell>
            <TableCell>
              <When iso={campaign.createdAt} />
            </TableCell>
            <TableCell>{countsText(campaign.counts)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
