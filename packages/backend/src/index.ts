import { createBackend } from '@backstage/backend-defaults';
import { provideDevEncryptionKey } from './devEncryptionKey';
import { mailCatcherPlugin } from './mailCatcher';
import { mailingDemoPlugin } from './mailingDemo';
import { notificationDemoPlugin } from './notificationDemo';
import { examplePermissionPolicyModule } from './permissionPolicy';

provideDevEncryptionKey();

const backend = createBackend();

// Serves the built example app (packages/app) at the backend's own address.
backend.add(import('@backstage/plugin-app-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(examplePermissionPolicyModule);

// The people notifications go to, with their addresses (examples/org.yaml).
backend.add(import('@backstage/plugin-catalog-backend'));

// The one line a platform team adds to its own backend:
backend.add(import('@elixeum/plugin-mailer-backend'));

// Backstage notifications, emailed through the mailer.
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@elixeum/plugin-notifications-backend-module-mailer'));

// Development only: buttons on the home page send the user a notification,
// and queue a small mailing to watch in the delivery view.
backend.add(notificationDemoPlugin);
backend.add(mailingDemoPlugin);

// Development only: the local SMTP server the default mailbox points at.
backend.add(mailCatcherPlugin);

backend.start();
