import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { DeliverySummary } from '@elixeum/plugin-mailer-common';
import { ReactNode } from 'react';
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

/** A titled part of the summary, or what it says when it has nothing to show. */
function Section(props: {
  title: string;
  /** The text instead of the content, when there is nothing to show. */
  empty: string | false;
  children: ReactNode;
}) {
  return (
    <Box mt={3}>
      <Typography variant="subtitle2" component="h3">
        {props.title}
      </Typography>
      {props.empty ? (
        <Typography variant="body2">{props.empty}</Typography>
      ) : (
        props.children
      )}
    </Box>
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
      <Section
        title="Recent mailings"
        empty={campaigns.length === 0 && 'No mailings yet.'}
      >
        <CampaignTable campaigns={campaigns} />
      </Section>
      <Section
        title="Recent failures"
        empty={recentFailures.length === 0 && 'No failed messages.'}
      >
        <FailureTable failures={recentFailures} />
      </Section>
    </>
  );
}
