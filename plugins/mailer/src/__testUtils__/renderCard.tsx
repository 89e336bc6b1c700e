import {
  AuthorizeResult,
  EvaluatePermissionRequest,
} from '@backstage/plugin-permission-common';
import { mailerDeliveryReadPermission } from '@elixeum/plugin-mailer-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import { ReactElement } from 'react';
import { SWRConfig } from 'swr';
import { mailerApiRef } from '../api/MailerApi';
import { NotificationSettingsCard } from '../components/NotificationSettingsCard';
import { FakeMailerApi } from './FakeMailerApi';

/**
 * Renders `element` in a test app with `api` as the mailer API and a
 * permission API that allows managing settings, and reading delivery
 * records, or not. Returns the permission API's `authorize`, to wait for.
 */
export async function renderWithMailerApi(
  element: ReactElement,
  api: FakeMailerApi,
  options: { canManage?: boolean; canReadDelivery?: boolean } = {},
) {
  const { canManage = true, canReadDelivery = true } = options;
  const authorize = jest.fn((request: EvaluatePermissionRequest) => {
    const allowed =
      request.permission.name === mailerDeliveryReadPermission.name
        ? canReadDelivery
        : canManage;
    return allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY;
  });
  // usePermission caches answers in SWR's global cache; a fresh cache keeps tests apart.
  await renderInTestApp(
    <SWRConfig value={{ provider: () => new Map() }}>
      <TestApiProvider
        apis={[
          [mailerApiRef, api],
          [permissionApiRef, mockApis.permission({ authorize })],
        ]}
      >
        {element}
      </TestApiProvider>
    </SWRConfig>,
  );
  return authorize;
}

/** Renders the card on `api` and waits until settings and permission are in. */
export async function renderCard(
  api: FakeMailerApi,
  options: { canManage?: boolean } = {},
) {
  const { canManage = true } = options;
  const authorize = await renderWithMailerApi(
    <NotificationSettingsCard />,
    api,
    { canManage },
  );
  await screen.findByText(/^Mail is sent/);
  await waitFor(() => expect(authorize).toHaveBeenCalled());
  if (canManage) await screen.findByRole('button', { name: 'Add' });
}
