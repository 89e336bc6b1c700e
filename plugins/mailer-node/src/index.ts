/**
 * What other backend plugins need to send email through the Elixeum mailer:
 * the service ref, its types, the tenant extension point, and the email
 * layout with its built-in templates.
 *
 * @packageDocumentation
 */

export * from './MailerService';
export * from './mailerServiceRef';
export * from './tenantResolver';
export { MailerClient, MAILER_PLUGIN_ID } from './MailerClient';
export { MailerUnavailableError } from './MailerUnavailableError';
export * from './MailerBackendApi';
export * from './mailerInProcessBackend';
export type {
  WireMailMessage,
  WireAttachment,
  WireMessage,
} from './wireMessage';
export {
  MailDeliveryError,
  type MailMessage,
  type MailAddress,
  type MailAttachment,
  type SmtpReply,
} from '@elixeum/plugin-mailer-common';
export * from './templates';
