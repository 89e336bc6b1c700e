import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';

/**
 * Queues a small personalised mailing through the example backend's demo
 * plugin, to watch its progress in the notification settings' delivery view.
 */
export function SendDemoMailing() {
  const discovery = useApi(discoveryApiRef);
  const { fetch } = useApi(fetchApiRef);
  const [state, setState] = useState<'idle' | 'sending' | 'queued' | string>(
    'idle',
  );

  const send = async () => {
    setState('sending');
    try {
      const baseUrl = await discovery.getBaseUrl('mailing-demo');
      const response = await fetch(`${baseUrl}/send`, { method: 'POST' });
      setState(response.ok ? 'queued' : `Failed: HTTP ${response.status}`);
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
        Send a demo mailing
      </Button>
      {state === 'queued' && (
        <Typography variant="body2" role="status">
          Queued. Watch it go out in the notification settings.
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
