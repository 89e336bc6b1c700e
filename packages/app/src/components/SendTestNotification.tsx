import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';

/**
 * Sends the signed-in user a notification through the example backend's
 * demo plugin: it shows up on the notifications page and, by email, in the
 * mail catcher.
 */
export function SendTestNotification() {
  const discovery = useApi(discoveryApiRef);
  const { fetch } = useApi(fetchApiRef);
  const [state, setState] = useState<'idle' | 'sending' | 'sent' | string>(
    'idle',
  );

  const send = async () => {
    setState('sending');
    try {
      const baseUrl = await discovery.getBaseUrl('notification-demo');
      const response = await fetch(`${baseUrl}/send`, { method: 'POST' });
      setState(response.ok ? 'sent' : `Failed: HTTP ${response.status}`);
    } catch (error) {
      setState(`Failed: ${(error as Error).message}`);
    }
  };

  return (
    <>
      <Button
        variant="contained"
        color="primary"
        disabled={state === 'sending'}
        onClick={send}
      >
        Send me a test notification
      </Button>
      {state === 'sent' && (
        <Typography variant="body2" role="status">
          Sent. It is in your inbox, and its email in the mail catcher.
        </Typography>
      )}
      {state.startsWith('Failed') && (
        <Typography variant="body2" color="error" role="alert">
          {state}
        </Typography>
      )}
    </>
  );
}
