import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { DeliverySummary } from '@elixeum/plugin-mailer-common';
import { CampaignTable } from './CampaignTable';
import { FailureTable } from './FailureTable';
import { PauseNotice } from './PauseNotice';

/** The loaded summary: recent mailings, then recent failures. */
export function DeliverySummaryView(props: { summary: DeliverySummary }) {
  const { campaigns, recentFailures, pause } = props.summary;
  const notice = pause && (
    <Box mb={2}>
      <PauseNotice pause={pause} />
    </Box>
  );
  if (campaigns.length === 0 && recentFailures.length === 0) {
    return (
      <>
        {notice}
        <Typography variant="body2">No mail sent yet.</Typography>
      </>
    );
  }
  const subjects = new Map(campaigns.map(c => [c.campaignId, c.subject]));
  return (
    <>
      {notice}
      <Typography variant="subtitle2" component="h3">
        Recent mailings
      </Typography>
      {campaigns.length > 0 ? (
        <CampaignTable campaigns={campaigns} />
      ) : (
        <Typography variant="body2">No mailings yet.</Typography>
      )}
      <Box mt={3}>
        <Typography variant="subtitle2" component="h3">
          Recent failures
        </Typography>
        {recentFailures.length > 0 ? (
          <FailureTable failures={recentFailures} subjects={subjects} />
        ) : (
          <Typography variant="body2">No failed messages.</Typography>
        )}
      </Box>
    </>
  );
}
