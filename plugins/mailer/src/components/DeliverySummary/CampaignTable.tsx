import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { CampaignSummary } from '@elixeum/plugin-mailer-common';
import { CampaignProgress } from './CampaignProgress';
import { CampaignSubject } from './CampaignSubject';
import { countsText, waitingOf } from './deliveryText';
import { When } from './When';

/**
 * The latest mailings and test emails: subject, when it was queued, where
 * its messages stand (with a progress bar while some still wait), and how
 * many recipients unsubscribed through a mailing's link.
 */
export function CampaignTable(props: { campaigns: CampaignSummary[] }) {
  return (
    <Table size="small" aria-label="Recent mailings">
      <TableHead>
        <TableRow>
          <TableCell>Subject</TableCell>
          <TableCell>Queued</TableCell>
          <TableCell>Messages</TableCell>
          <TableCell>Unsubscribed</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.campaigns.map(campaign => (
          <TableRow key={campaign.campaignId}>
            <TableCell>
              <CampaignSubject
                subject={campaign.subject}
                kind={campaign.kind}
              />
            </TableCell>
            <TableCell>
              <When iso={campaign.createdAt} />
            </TableCell>
            <TableCell>
              {waitingOf(campaign.counts) > 0 && (
                <CampaignProgress
                  counts={campaign.counts}
                  label={`Progress of ${campaign.subject || 'the mailing'}`}
                />
              )}
              {countsText(campaign.counts)}
            </TableCell>
            <TableCell>
              {campaign.kind === 'bulk' ? campaign.unsubscribes : '–'}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
