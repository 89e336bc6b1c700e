import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import { SWRConfig } from 'swr';
import { mailerApiRef } from '../api/MailerApi';
import { NotificationSettingsCard } from '../components/NotificationSettingsCard';
import { FakeMailerApi } from './FakeMailerApi';

/** Renders the card on `api` and waits until settings and permission are in. */
export async function renderCard(
  api: FakeMailerApi,
  options: { canManage?: boolean } = {},
) {
  const { canManage = true } = options;
  const authorize = jest.fn(() =>
    canManage ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
  );
  // usePermission caches answers in SWR's global cache; a fresh cache keeps tests apart.
  await renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <TestApiProvider
        apis={[
          [mailerApiRef, api],
          [permissionApiRef, mockApis.permission({ authorize })],
        ]}
      >
        <NotificationSettingsCard />
      </TestApiProvider>
    </SWRConfig>,
  );
  await screen.findByText(/^Mail is sent/);
  await waitFor(() => expect(authorize).toHaveBeenCalled());
  if (canManage) await screen.findByRole('button', { name: 'Add' });
}
