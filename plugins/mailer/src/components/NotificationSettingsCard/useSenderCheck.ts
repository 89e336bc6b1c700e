import { useApi } from '@backstage/core-plugin-api';
import {
  SenderCheckRequest,
  SenderCheckResult,
} from '@elixeum/plugin-mailer-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { mailerApiRef } from '../../api/MailerApi';
import { errorMessage } from './errorMessage';

/** Where the sender check stands; a new run keeps showing the last result until it answers. */
export type SenderCheckState =
  | { status: 'idle' }
  | { status: 'running'; last?: SenderCheckResult }
  | { status: 'done'; result: SenderCheckResult }
  | { status: 'failed'; message: string };

/**
 * The sender check of the card: `run` asks the backend, and only the
 * answer to the latest run is shown (an earlier one may arrive later).
 */
export function useSenderCheck() {
  const mailerApi = useApi(mailerApiRef);
  const [state, setState] = useState<SenderCheckState>({ status: 'idle' });
  const latest = useRef(0);
  useEffect(
    () => () => {
      // Unmounted: no answer is shown any more.
      latest.current = -1;
    },
    [],
  );

  const run = useCallback(
    async (request: SenderCheckRequest) => {
      if (latest.current < 0) return;
      latest.current += 1;
      const id = latest.current;
      setState(current => ({
        status: 'running',
        last: lastResultOf(current),
      }));
      try {
        const result = await mailerApi.checkSender(request);
        if (id === latest.current) setState({ status: 'done', result });
      } catch (error) {
        if (id === latest.current) {
          setState({ status: 'failed', message: errorMessage(error) });
        }
      }
    },
    [mailerApi],
  );
  return { state, run };
}

/** The result the card shows in `state`, if any. */
export function lastResultOf(
  state: SenderCheckState,
): SenderCheckResult | undefined {
  if (state.status === 'done') return state.result;
  return state.status === 'running' ? state.last : undefined;
}
