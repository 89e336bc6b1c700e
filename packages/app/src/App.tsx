import { createApp } from '@backstage/app-defaults';
import { AppRouter, FlatRoutes } from '@backstage/core-app-api';
import {
  AlertDisplay,
  OAuthRequestDialog,
  SignInPage,
} from '@backstage/core-components';
import {
  NotificationsPage,
  notificationsPlugin,
  UserNotificationSettingsCard,
} from '@backstage/plugin-notifications';
import {
  SettingsLayout,
  UserSettingsPage,
  userSettingsPlugin,
} from '@backstage/plugin-user-settings';
import { mailerPlugin, NotificationSettingsPage } from '@elixeum/plugin-mailer';
import { Navigate, Route } from 'react-router-dom';
import { HomePage } from './components/HomePage';
import { AdminEmailSettingsHint } from './components/AdminEmailSettingsHint';
import { Root } from './components/Root';

const app = createApp({
  plugins: [mailerPlugin, notificationsPlugin, userSettingsPlugin],
  components: {
    // The example portal signs everyone in as the guest user (user:development/guest).
    SignInPage: props => <SignInPage {...props} providers={['guest']} />,
  },
});

const routes = (
  <FlatRoutes>
    <Route path="/" element={<Navigate to="home" />} />
    <Route path="/home" element={<HomePage />} />
    <Route path="/email-settings" element={<NotificationSettingsPage />} />
    {/* The page's address before it was named Email settings. */}
    <Route
      path="/notification-settings"
      element={<Navigate to="/email-settings" replace />}
    />
    {/* Backstage's own: the user's notifications, and their channel switches. */}
    <Route path="/notifications" element={<NotificationsPage />} />
    <Route path="/settings" element={<UserSettingsPage />}>
      <SettingsLayout.Route path="/notifications" title="Notifications">
        <>
          <UserNotificationSettingsCard
            originNames={{ 'plugin:notification-demo': 'Example portal' }}
          />
          <AdminEmailSettingsHint />
        </>
      </SettingsLayout.Route>
    </Route>
  </FlatRoutes>
);

export default app.createRoot(
  <>
    <AlertDisplay />
    <OAuthRequestDialog />
    <AppRouter>
      <Root>{routes}</Root>
    </AppRouter>
  </>,
);
