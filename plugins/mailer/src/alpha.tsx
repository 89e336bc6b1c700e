import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import NotificationsIcon from '@material-ui/icons/Notifications';
import { mailerApiRef } from './api/MailerApi';
import { MailerClient } from './api/MailerClient';
import { rootRouteRef } from './routes';

const mailerApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: mailerApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MailerClient({ discoveryApi, fetchApi }),
    }),
});

// Since frontend-plugin-api 0.17 the nav item comes from the page's title and icon.
const notificationSettingsPage = PageBlueprint.make({
  params: {
    path: '/notification-settings',
    title: 'Notifications',
    icon: <NotificationsIcon fontSize="inherit" />,
    routeRef: rootRouteRef,
    // The page brings its own "Notification settings" header.
    noHeader: true,
    loader: () =>
      import('./components/NotificationSettingsPage').then(m => (
        <m.NotificationSettingsPage />
      )),
  },
});

/**
 * The mailer frontend plugin, for apps on the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'mailer',
  title: 'Notifications',
  icon: <NotificationsIcon fontSize="inherit" />,
  routes: { root: rootRouteRef },
  extensions: [mailerApi, notificationSettingsPage],
});
