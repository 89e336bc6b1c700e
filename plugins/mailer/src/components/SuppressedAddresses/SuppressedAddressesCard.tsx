import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  mailerDeliveryReadPermission,
  mailerSettingsManagePermission,
  SuppressedAddress,
} from '@elixeum/plugin-mailer-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import RefreshIcon from '@material-ui/icons/Refresh';
import { FormEvent, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { mailerApiRef } from '../../api/MailerApi';
import { RemoveSuppressionDialog } from './RemoveSuppressionDialog';
import { SuppressionTable } from './SuppressionTable';

/** Shown instead of the list to someone who may not read delivery records. */
export const NO_SUPPRESSION_ACCESS =
  'You cannot see the suppressed addresses: that needs the permission to read delivery records (mailer.delivery.read).';

/** Addresses per page. */
export const SUPPRESSION_PAGE_SIZE = 50;

/**
 * The tenant's suppression list: addresses its bulk mail no longer goes to
 * (unsubscribed, bounced, marked as spam, added by an administrator), newest
 * first. Who may manage the settings sees addresses whole, searches them,
 * and removes one after confirming; everyone else sees them masked.
 */
export function SuppressedAddressesCard() {
  const mailerApi = useApi(mailerApiRef);
  const { loading: checking, allowed } = usePermission({
    permission: mailerDeliveryReadPermission,
  });
  const { allowed: canManage } = usePermission({
    permission: mailerSettingsManagePermission,
  });
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const [reloads, setReloads] = useState(0);
  const [confirming, setConfirming] = useState<SuppressedAddress>();
  const reload = () => setReloads(count => count + 1);

  // Asked for only once the permission is known to allow it.
  const { value, loading, error } = useAsync(
    async () =>
      allowed
        ? mailerApi.listSuppressions({
            search: search || undefined,
            offset,
            limit: SUPPRESSION_PAGE_SIZE,
          })
        : undefined,
    [mailerApi, allowed, search, offset, reloads],
  );
  const denied =
    (!checking && !allowed) ||
    (error instanceof ResponseError && error.statusCode === 403);
  const mayRemove = canManage && value && !value.masked;

  const applySearch = (event: FormEvent) => {
    event.preventDefault();
    setOffset(0);
    setSearch(draft.trim());
  };

  return (
    <InfoCard
      title="Suppressed addresses"
      subheader="Addresses bulk mail no longer goes to: they unsubscribed, bounced or were added by an administrator"
      action={
        !denied && (
          <IconButton
            aria-label="Refresh suppressed addresses"
            title="Refresh"
            onClick={reload}
            disabled={loading || checking}
          >
            <RefreshIcon />
          </IconButton>
        )
      }
    >
      {denied && (
        <Typography variant="body2" color="textSecondary">
          {NO_SUPPRESSION_ACCESS}
        </Typography>
      )}
      {!denied && canManage && (
        <Box
          component="form"
          display="flex"
          alignItems="flex-end"
          mb={2}
          onSubmit={applySearch}
          role="search"
        >
          <TextField
            id="suppressed-address-search"
            label="Search addresses"
            value={draft}
            onChange={e => setDraft(e.target.value)}
            inputProps={{ maxLength: 254 }}
            size="small"
          />
          <Box ml={1}>
            <Button type="submit" variant="outlined" size="small">
              Search
            </Button>
          </Box>
        </Box>
      )}
      {!denied && (loading || checking) && !value && <Progress />}
      {!denied && error && <ResponseErrorPanel error={error} />}
      {!denied && value && value.items.length === 0 && (
        <Typography variant="body2">
          {search
            ? `No suppressed address matches "${search}".`
            : 'No suppressed addresses.'}
        </Typography>
      )}
      {!denied && value && value.items.length > 0 && (
        <>
          <SuppressionTable
            items={value.items}
            onRemove={mayRemove ? setConfirming : undefined}
          />
          <Box display="flex" alignItems="center" mt={1}>
            <Typography variant="body2" component="span">
              {offset + 1}–{offset + value.items.length} of {value.total}
            </Typography>
            <Box ml="auto">
              <Button
                size="small"
                disabled={offset === 0 || loading}
                onClick={() =>
                  setOffset(Math.max(0, offset - SUPPRESSION_PAGE_SIZE))
                }
              >
                Previous
              </Button>
              <Button
                size="small"
                disabled={offset + value.items.length >= value.total || loading}
                onClick={() => setOffset(offset + SUPPRESSION_PAGE_SIZE)}
              >
                Next
              </Button>
            </Box>
          </Box>
        </>
      )}
      {confirming && (
        <RemoveSuppressionDialog
          item={confirming}
          onClose={() => setConfirming(undefined)}
          onConfirm={async () => {
            await mailerApi.removeSuppression({
              address: confirming.address,
              list: confirming.list,
            });
            setConfirming(undefined);
            reload();
          }}
        />
      )}
    </InfoCard>
  );
}
