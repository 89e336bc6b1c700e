/**
 * The Elixeum mailer frontend plugin: where a tenant sets up how its portal
 * sends email.
 *
 * @packageDocumentation
 */

export {
  mailerPlugin,
  NotificationSettingsPage,
  NotificationSettingsCard,
  DeliverySummaryCard,
  SuppressedAddressesCard,
} from './plugin';
export { mailerApiRef } from './api/MailerApi';
export type { MailerApi } from './api/MailerApi';
export { MailerClient } from './api/MailerClient';
export { rootRouteRef as mailerRouteRef } from './routes';
