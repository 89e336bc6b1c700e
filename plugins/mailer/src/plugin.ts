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

/** The mailer frontend plugin, for apps on the legacy frontend system. */
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

/** The notification settings page, to mount on a route of the app. */
export const NotificationSettingsPage = mailerPlugin.provide(
  createRoutableExtension({
    name: 'NotificationSettingsPage',
    component: () =>
      import('./components/NotificationSettingsPage').then(
        m => m.NotificationSettingsPage,
      ),
    mountPoint: rootRouteRef,
  }),
);

/** The notification settings card, to place on any page (e.g. an admin or settings page). */
export const NotificationSettingsCard = mailerPlugin.provide(
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

/** The delivery summary card (recent mailings and failures), to place on any page. */
export const DeliverySummaryCard = mailerPlugin.provide(
  createComponentExtension({
    name: 'DeliverySummaryCard',
    component: {
      lazy: () =>
        import('./components/DeliverySummary').then(m => m.DeliverySummaryCard),
    },
  }),
);
