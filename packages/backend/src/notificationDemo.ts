import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { notificationService } from '@backstage/plugin-notifications-node';
import Router from 'express-promise-router';

/**
 * Lets the signed-in user send themselves a notification from the home page,
 * to watch it reach the notifications page and, through the mailer, the mail
 * catcher: what any plugin does with `notificationService`.
 */
export const notificationDemoPlugin = createBackendPlugin({
  pluginId: 'notification-demo',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        notifications: notificationService,
      },
      async init({ httpRouter, httpAuth, notifications }) {
        const router = Router();
        router.post('/send', async (req, res) => {
          const credentials = await httpAuth.credentials(req, {
            allow: ['user'],
          });
          await notifications.send({
            recipients: {
              type: 'entity',
              entityRef: credentials.principal.userEntityRef,
            },
            payload: {
              title: 'A test notification from the example portal',
              description:
                'You sent this from the home page. It is on the notifications page, and it was emailed through the mailer to the address in your catalog profile.',
              link: '/notifications',
              topic: 'example',
            },
          });
          res.status(202).json({ sent: true });
        });
        httpRouter.use(router);
      },
    });
  },
});
