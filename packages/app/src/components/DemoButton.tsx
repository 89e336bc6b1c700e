import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';

/**
 * A button that asks one of the example backend's demo plugins to do
 * something (`POST /send`), and says when it did.
 */
export function DemoButton(props: {
  /** The demo plugin's id, e.g. `notification-demo`. */
  pluginId: string;
  label: string;
  /** What the user reads once it is done. */
  doneText: string;
}) {
  const discovery = useApi(discoveryApiRef);
  const { fetch } = useApi(fetchApiRef);
  const [state, setState] = useState<'idle' | 'sending' | 'done' | string>(
    'idle',
  );

  const send = async () => {
    setState('sending');
    try {
      const baseUrl = await discovery.getBaseUrl(props.pluginId);
      const response = await fetch(`${baseUrl}/send`, { method: 'POST' });
      setState(response.ok ? 'done' : `Failed: HTTP ${response.status}`);
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
        {props.label}
      </Button>
      {state === 'done' && (
        <Typography variant="body2" role="status">
          {props.doneText}
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
