import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { usePermission } from '@backstage/plugin-permission-react';
import { mailerDeliveryReadPermission } from '@elixeum/plugin-mailer-common';
import IconButton from '@material-ui/core/IconButton';
import Typography from '@material-ui/core/Typography';
import RefreshIcon from '@material-ui/icons/Refresh';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { mailerApiRef } from '../../api/MailerApi';
import { DeliverySummaryView } from './DeliverySummaryView';

/** Shown instead of the records to someone who may not read them. */
export const NO_DELIVERY_ACCESS =
  'You cannot see the email delivery records: that needs the permission to read them (mailer.delivery.read).';

function isForbidden(error: Error | undefined): boolean {
  return error instanceof ResponseError && error.statusCode === 403;
}

/** The card that shows how the tenant's latest mail went: mailings, their counts, and failures. */
export function DeliverySummaryCard() {
  const mailerApi = useApi(mailerApiRef);
  const { loading: checking, allowed } = usePermission({
    permission: mailerDeliveryReadPermission,
  });
  // Asked for only once the permission is known to allow it.
  const { value, loading, error, retry } = useAsyncRetry(
    async () => (allowed ? mailerApi.getDeliverySummary() : undefined),
    [mailerApi, allowed],
  );
  const denied = (!checking && !allowed) || isForbidden(error);

  return (
    <InfoCard
      title="Email delivery"
      subheader="The latest mailings and the messages that could not be delivered"
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
      {!denied && (loading || checking) && <Progress />}
      {!denied && error && <ResponseErrorPanel error={error} />}
      {/* While refreshing, the previous summary stays in view. */}
      {!denied && value && <DeliverySummaryView summary={value} />}
    </InfoCard>
  );
}
