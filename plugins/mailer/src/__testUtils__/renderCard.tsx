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
import { configApiRef } from '@backstage/core-plugin-api';
import { ReactElement } from 'react';
import { SWRConfig } from 'swr';
import { mailerApiRef } from '../api/MailerApi';
import { NotificationSettingsCard } from '../components/NotificationSettingsCard';
import { FakeMailerApi } from './FakeMailerApi';

/** The app config a test gives the card, as mockApis.config takes it. */
type JsonObject = NonNullable<
  NonNullable<Parameters<typeof mockApis.config>[0]>['data']
>;

/**
 * Renders `element` in a test app with `api` as the mailer API and a
 * permission API that allows managing settings, and reading delivery
 * records, or not. Returns the permission API's `authorize`, to wait for.
 */
export async function renderWithMailerApi(
  element: ReactElement,
  api: FakeMailerApi,
  options: {
    canManage?: boolean;
    canReadDelivery?: boolean;
    /** The app's frontend config, e.g. `mailer.presets`. */
    config?: JsonObject;
  } = {},
) {
  const { canManage = true, canReadDelivery = true, config = {} } = options;
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
          [configApiRef, mockApis.config({ data: config })],
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
  options: { canManage?: boolean; config?: JsonObject } = {},
) {
  const { canManage = true, config } = options;
  const authorize = await renderWithMailerApi(
    <NotificationSettingsCard />,
    api,
    { canManage, config },
  );
  await screen.findByText(/^Mail is sent/);
  await waitFor(() => expect(authorize).toHaveBeenCalled());
  if (canManage) await screen.findByRole('button', { name: 'Add' });
}
