import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { DeliverySummary } from '@elixeum/plugin-mailer-common';
import { CampaignTable } from './CampaignTable';
import { DeliveryChart } from './DeliveryChart';
import { singleMessagesText, totalOf } from './deliveryText';
import { FailureTable } from './FailureTable';
import { PauseNotice } from './PauseNotice';

/** Whether the summary shows no mail at all. */
function isEmpty(summary: DeliverySummary): boolean {
  return (
    summary.campaigns.length === 0 &&
    summary.recentFailures.length === 0 &&
    totalOf(summary.singleMessages.counts) === 0 &&
    summary.hourly.every(h => h.sent + h.failed === 0)
  );
}

/**
 * The loaded summary: any pause, the last 24 hours, the single messages as
 * one line, recent mailings and test emails, then recent failures.
 */
export function DeliverySummaryView(props: { summary: DeliverySummary }) {
  const { summary } = props;
  const { campaigns, recentFailures, pause, singleMessages } = summary;
  const notice = pause && (
    <Box mb={2}>
      <PauseNotice pause={pause} />
    </Box>
  );
  if (isEmpty(summary)) {
    return (
      <>
        {notice}
        <Typography variant="body2">No mail sent yet.</Typography>
      </>
    );
  }
  return (
    <>
      {notice}
      <DeliveryChart hourly={summary.hourly} />
      <Typography variant="body2" component="p">
        Single messages in the last 24 hours:{' '}
        {singleMessagesText(singleMessages.counts)}
      </Typography>
      <Box mt={3}>
        <Typography variant="subtitle2" component="h3">
          Recent mailings
        </Typography>
        {campaigns.length > 0 ? (
          <CampaignTable campaigns={campaigns} />
        ) : (
          <Typography variant="body2">No mailings yet.</Typography>
        )}
      </Box>
      <Box mt={3}>
        <Typography variant="subtitle2" component="h3">
          Recent failures
        </Typography>
        {recentFailures.length > 0 ? (
          <FailureTable failures={recentFailures} />
        ) : (
          <Typography variant="body2">No failed messages.</Typography>
        )}
      </Box>
    </>
  );
}
