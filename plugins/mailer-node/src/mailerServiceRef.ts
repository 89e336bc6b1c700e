import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { MailerClient } from './MailerClient';
import { mailerInProcessBackendServiceRef } from './mailerInProcessBackend';
import { MailerService } from './MailerService';

/**
 * The mailer service for backend plugins: declare `deps: { mailer: mailerServiceRef }`
 * and call `mailer.send(...)`. The default implementation calls the mailer
 * backend directly when it runs in the same backend, and over HTTP otherwise.
 *
 * @public
 */
export const mailerServiceRef = createServiceRef<MailerService>({
  id: 'mailer.service',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        inProcess: mailerInProcessBackendServiceRef,
      },
      factory: deps => new MailerClient(deps),
    }),
});
