import { SuppressedAddress } from '@elixeum/plugin-mailer-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import { useState } from 'react';
import { errorMessage } from '../NotificationSettingsCard/errorMessage';
import { reasonText } from './reasonText';
import { scopeText } from './scopeText';

/**
 * Asks before mail goes to an address again, and says what is at stake:
 * its owner asked for no more, or it bounced.
 */
export function RemoveSuppressionDialog(props: {
  item: SuppressedAddress;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const { item, onConfirm, onClose } = props;
  const [removing, setRemoving] = useState(false);
  const [error, setError] = useState<string>();
  const confirm = async () => {
    setRemoving(true);
    setError(undefined);
    try {
      await onConfirm();
    } catch (e) {
      setError(errorMessage(e));
      setRemoving(false);
    }
  };
  return (
    <Dialog open onClose={onClose} aria-labelledby="remove-suppression-title">
      <DialogTitle id="remove-suppression-title">
        Send mail to {item.address} again?
      </DialogTitle>
      <DialogContent>
        <DialogContentText>
          It gets no {scopeText(item)}: {reasonText(item.reason)}. Once removed,{' '}
          {scopeText(item)} goes to it again.
          {item.reason === 'unsubscribed' &&
            ' Remove it only if its owner asked for this mail again.'}
          {item.reason === 'hard-bounce' &&
            ' The address did not exist when mail last went to it: mail that bounces again harms your sender reputation.'}
        </DialogContentText>
        {error && <DialogContentText color="error">{error}</DialogContentText>}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={removing}>
          Cancel
        </Button>
        <Button color="primary" onClick={confirm} disabled={removing}>
          Remove
        </Button>
      </DialogActions>
    </Dialog>
  );
}
