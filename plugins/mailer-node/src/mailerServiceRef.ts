import {
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { MailerClient } from './MailerClient';
import { MailerService } from './MailerService';

/**
 * The mailer service for backend plugins: declare `deps: { mailer: mailerServiceRef }`
 * and call `mailer.send(...)`. The default implementation reaches the mailer
 * backend over HTTP.
 *
 * @public
 */
export const mailerServiceRef = createServiceRef<MailerService>({
  id: 'mailer.service',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { discovery: coreServices.discovery, auth: coreServices.auth },
      factory: ({ discovery, auth }) => new MailerClient({ discovery, auth }),
    }),
});
