import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mailerServiceRef } from '@elixeum/plugin-mailer-node';
import Router from 'express-promise-router';

/** Recipients of the demo mailing: made-up customers, caught by whichever server the tenant uses. */
const DEMO_RECIPIENTS = 60;

/**
 * Lets the signed-in user queue a small personalised mailing from the home
 * page, to watch its progress in the delivery view: what a plugin does with
 * `mailerServiceRef.sendBulk`. It goes through the user's tenant's server.
 */
export const mailingDemoPlugin = createBackendPlugin({
  pluginId: 'mailing-demo',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        mailer: mailerServiceRef,
      },
      async init({ httpRouter, httpAuth, mailer }) {
        const router = Router();
        router.post('/send', async (req, res) => {
          const credentials = await httpAuth.credentials(req, {
            allow: ['user'],
          });
          const recipients = Array.from(
            { length: DEMO_RECIPIENTS },
            (_, i) => ({
              to: `customer${i + 1}@customer.example`,
              variables: { name: `Customer ${i + 1}` },
            }),
          );
          const queued = await mailer.sendBulk(
            {
              subject: 'Demo mailing for {{name}}',
              text: 'Hello {{name}},\n\nthis is a demo mailing from the example portal.\n\nUnsubscribe: {{unsubscribeUrl}}',
              html: '<p>Hello {{name}},</p><p>this is a demo mailing from the example portal.</p><p><a href="{{unsubscribeUrl}}">Unsubscribe</a></p>',
            },
            recipients,
            { forUser: credentials.principal.userEntityRef },
          );
          res.status(202).json(queued);
        });
        httpRouter.use(router);
      },
    });
  },
});
