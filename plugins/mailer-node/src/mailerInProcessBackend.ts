import {
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import { MailerBackendApi } from './MailerBackendApi';

/**
 * Where the mailer backend of this backend instance offers its operations
 * to the plugins beside it. The mailer backend attaches when it starts and
 * detaches when it stops; while nothing is attached (the mailer backend runs
 * elsewhere) the mailer service goes over HTTP.
 *
 * @public
 */
export interface MailerInProcessBackend {
  /** The attached operations, if the mailer backend runs in this backend. */
  get(): MailerBackendApi | undefined;
  /** Called by the mailer backend: `undefined` detaches. */
  attach(api: MailerBackendApi | undefined): void;
}

/**
 * One per backend instance (root scope), shared by the mailer backend and
 * every plugin's mailer service, as Backstage's in-memory event bus is.
 *
 * @public
 */
export const mailerInProcessBackendServiceRef =
  createServiceRef<MailerInProcessBackend>({
    id: 'mailer.in-process-backend',
    scope: 'root',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: {},
        factory: () => {
          let attached: MailerBackendApi | undefined;
          return {
            get: () => attached,
            attach: api => {
              attached = api;
            },
          };
        },
      }),
  });
