/**
 * Backstage notifications by email through the Elixeum mailer.
 *
 * @packageDocumentation
 */

export { notificationsModuleMailer as default } from './module';
export * from './extensions';
