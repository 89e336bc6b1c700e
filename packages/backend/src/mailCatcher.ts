import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { SmtpTestServer } from '@internal/smtp-test-server';
import Router from 'express-promise-router';

/**
 * A development mail catcher: an SMTP server on loopback that is the default
 * mailbox's server in the example config. It logs each message and keeps the
 * last ones at /api/mail-catcher/messages, so a newcomer can watch mail arrive.
 */
export const mailCatcherPlugin = createBackendPlugin({
  pluginId: 'mail-catcher',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
      },
      async init({ config, logger, httpRouter, lifecycle }) {
        const port = config.getOptionalNumber('mailCatcher.port') ?? 2525;
        const server = await SmtpTestServer.start({
          host: '127.0.0.1',
          port,
          keepLast: 50,
          onMessage: message =>
            logger.info(
              `Caught mail "${message.parsed.subject}" from ${message.envelope.mailFrom} to ${message.envelope.rcptTo.join(', ')}`,
            ),
        });
        lifecycle.addShutdownHook(() => server.close());
        logger.info(`Mail catcher listening on 127.0.0.1:${server.port}`);

        const router = Router();
        router.get('/messages', (_req, res) => {
          res.json(
            server.messages.map(m => ({
              receivedAt: m.receivedAt,
              envelope: m.envelope,
              subject: m.parsed.subject,
              from: m.parsed.from?.text,
              to: m.envelope.rcptTo,
              text: m.parsed.text,
            })),
          );
        });
        httpRouter.use(router);
        // Development only: lets the example's browser tests read what arrived.
        httpRouter.addAuthPolicy({
          path: '/messages',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
