import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  DeliverySummary,
  mailerDeliveryReadPermission,
} from '@elixeum/plugin-mailer-common';
import IconButton from '@material-ui/core/IconButton';
import Typography from '@material-ui/core/Typography';
import RefreshIcon from '@material-ui/icons/Refresh';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { mailerApiRef } from '../../api/MailerApi';
import { waitingOf } from './deliveryText';
import { DeliverySummaryView } from './DeliverySummaryView';
import { UnmatchedBounces } from './UnmatchedBounces';

/** Shown instead of the records to someone who may not read them. */
export const NO_DELIVERY_ACCESS =
  'You cannot see the email delivery records: that needs the permission to read them (mailer.delivery.read).';

function isForbidden(error: Error | undefined): boolean {
  return error instanceof ResponseError && error.statusCode === 403;
}

/** How often the card reads the summary again while mail is on its way. */
export const DELIVERY_REFRESH_MS = 5_000;

/** Whether any message of the summary still waits to be sent. */
function inFlight(summary: DeliverySummary | undefined): boolean {
  if (!summary) return false;
  return (
    waitingOf(summary.singleMessages.counts) > 0 ||
    summary.campaigns.some(c => waitingOf(c.counts) > 0)
  );
}

/**
 * The card that shows how the tenant's mail goes: the last 24 hours,
 * mailings and their progress, and failures. While messages wait it reads
 * the summary again every few seconds, and stops once all are through.
 */
export function DeliverySummaryCard(props: {
  /** How often to refresh while mail is on its way; 5 seconds by default. */
  refreshIntervalMs?: number;
}) {
  const { refreshIntervalMs = DELIVERY_REFRESH_MS } = props;
  const mailerApi = useApi(mailerApiRef);
  const { loading: checking, allowed } = usePermission({
    permission: mailerDeliveryReadPermission,
  });
  // A counter, not useAsyncRetry's retry: that one ignores a call while a
  // load is under way, which would miss a test email sent meanwhile.
  const [reloads, setReloads] = useState(0);
  const retry = () => setReloads(count => count + 1);
  // A test email or a save changes what there is to show.
  useEffect(
    () => mailerApi.onSettingsChanged(() => setReloads(count => count + 1)),
    [mailerApi],
  );
  // Asked for only once the permission is known to allow it.
  const { value, loading, error } = useAsync(
    async () => (allowed ? mailerApi.getDeliverySummary() : undefined),
    [mailerApi, allowed, reloads],
  );
  const denied = (!checking && !allowed) || isForbidden(error);
  const refreshing = !loading && !error && inFlight(value);

  useEffect(() => {
    if (!refreshing) return undefined;
    const timer = setTimeout(
      () => setReloads(count => count + 1),
      refreshIntervalMs,
    );
    return () => clearTimeout(timer);
  }, [refreshing, value, refreshIntervalMs]);

  return (
    <InfoCard
      title="Email delivery"
      subheader="The last 24 hours, mailings in progress, and the messages that could not be delivered"
      action={
        !denied && (
          <IconButton
            aria-label="Refresh"
            title="Refresh"
            onClick={retry}
            disabled={loading || checking}
          >
            <RefreshIcon />
          </IconButton>
        )
      }
    >
      {denied && (
        <Typography variant="body2" color="textSecondary">
          {NO_DELIVERY_ACCESS}
        </Typography>
      )}
      {/* Only the first load shows progress; a refresh keeps the summary in view. */}
      {!denied && (loading || checking) && !value && <Progress />}
      {!denied && error && <ResponseErrorPanel error={error} />}
      {!denied && value && <DeliverySummaryView summary={value} />}
      {!denied && value && <UnmatchedBounces refreshKey={value} />}
    </InfoCard>
  );
}
