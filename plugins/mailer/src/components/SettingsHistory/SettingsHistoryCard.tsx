import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import IconButton from '@material-ui/core/IconButton';
import List from '@material-ui/core/List';
import Typography from '@material-ui/core/Typography';
import RefreshIcon from '@material-ui/icons/Refresh';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { mailerApiRef } from '../../api/MailerApi';
import { HistoryEntry } from './HistoryEntry';

/** Shown instead of the history to someone who may not read the settings. */
export const NO_HISTORY_ACCESS =
  'You cannot see who changed these settings: that needs the permission to read them (mailer.settings.read).';

/**
 * Who recently changed which settings keys and tested the connection,
 * newest first. Reloads after each save or test made through the mailer API,
 * wherever on the page (or another page) the settings card is.
 */
export function SettingsHistoryCard() {
  const mailerApi = useApi(mailerApiRef);
  // A counter, not useAsyncRetry's retry: that one ignores a call while a
  // load is under way, which would lose a save made meanwhile.
  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads(count => count + 1);
  useEffect(
    () => mailerApi.onSettingsChanged(() => setReloads(count => count + 1)),
    [mailerApi],
  );
  const { value, loading, error } = useAsync(
    () => mailerApi.getSettingsHistory(),
    [mailerApi, reloads],
  );
  const denied = error instanceof ResponseError && error.statusCode === 403;

  return (
    <InfoCard
      title="Recent changes"
      subheader="Who changed which settings and tested the connection; values are never kept"
      action={
        !denied && (
          <IconButton
            aria-label="Refresh recent changes"
            title="Refresh"
            onClick={reload}
            disabled={loading}
          >
            <RefreshIcon />
          </IconButton>
        )
      }
    >
      {denied && (
        <Typography variant="body2" color="textSecondary">
          {NO_HISTORY_ACCESS}
        </Typography>
      )}
      {!denied && error && <ResponseErrorPanel error={error} />}
      {loading && !value && <Progress />}
      {value && value.entries.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          No changes or connection tests yet.
        </Typography>
      )}
      {value && value.entries.length > 0 && (
        <List dense aria-label="Recent changes">
          {value.entries.map((entry, index) => (
            <HistoryEntry key={`${entry.at}-${index}`} entry={entry} />
          ))}
        </List>
      )}
    </InfoCard>
  );
}
