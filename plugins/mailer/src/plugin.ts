import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { mailerApiRef } from './api/MailerApi';
import { MailerClient } from './api/MailerClient';
import { rootRouteRef } from './routes';

/**
 * The mailer frontend plugin, for apps on the legacy frontend system.
 *
 * @public
 */
export const mailerPlugin = createPlugin({
  id: 'mailer',
  apis: [
    createApiFactory({
      api: mailerApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MailerClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
  },
});

// The extensions are typed by hand: their inferred types name the components'
// own modules, which the package does not export (API Extractor's
// ae-forgotten-export).

/**
 * The notification settings page, to mount on a route of the app.
 *
 * @public
 */
export const NotificationSettingsPage: () => JSX.Element = mailerPlugin.provide(
  createRoutableExtension({
    name: 'NotificationSettingsPage',
    component: () =>
      import('./components/NotificationSettingsPage').then(
        m => m.NotificationSettingsPage,
      ),
    mountPoint: rootRouteRef,
  }),
);

/**
 * The notification settings card, to place on any page (e.g. an admin or settings page).
 *
 * @public
 */
export const NotificationSettingsCard: () => JSX.Element = mailerPlugin.provide(
  createComponentExtension({
    name: 'NotificationSettingsCard',
    component: {
      lazy: () =>
        import('./components/NotificationSettingsCard').then(
          m => m.NotificationSettingsCard,
        ),
    },
  }),
);

/**
 * The "Suppressed addresses" card: who the tenant's bulk mail no longer goes
 * to and why, with search and removal for who may manage the settings.
 *
 * @public
 */
export const SuppressedAddressesCard: () => JSX.Element = mailerPlugin.provide(
  createComponentExtension({
    name: 'SuppressedAddressesCard',
    component: {
      lazy: () =>
        import('./components/SuppressedAddresses').then(
          m => m.SuppressedAddressesCard,
        ),
    },
  }),
);

/**
 * The delivery summary card (recent mailings and failures), to place on any page.
 *
 * @public
 */
export const DeliverySummaryCard: (props: {
  /** How often to refresh while mail is on its way; 5 seconds by default. */
  refreshIntervalMs?: number;
}) => JSX.Element = mailerPlugin.provide(
  createComponentExtension({
    name: 'DeliverySummaryCard',
    component: {
      lazy: () =>
        import('./components/DeliverySummary').then(m => m.DeliverySummaryCard),
    },
  }),
);
