import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import IconButton from '@material-ui/core/IconButton';
import RefreshIcon from '@material-ui/icons/Refresh';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { mailerApiRef } from '../../api/MailerApi';
import { DeliverySummaryView } from './DeliverySummaryView';

/** The card that shows how the tenant's latest mail went: mailings, their counts, and failures. */
export function DeliverySummaryCard() {
  const mailerApi = useApi(mailerApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => mailerApi.getDeliverySummary(),
    [mailerApi],
  );

  return (
    <InfoCard
      title="Email delivery"
      subheader="The latest mailings and the messages that could not be delivered"
      action={
        <IconButton
          aria-label="Refresh"
          title="Refresh"
          onClick={retry}
          disabled={loading}
        >
          <RefreshIcon />
        </IconButton>
      }
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {/* While refreshing, the previous summary stays in view. */}
      {value && <DeliverySummaryView summary={value} />}
    </InfoCard>
  );
}
