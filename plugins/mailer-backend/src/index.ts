/**
 * The Elixeum mailer backend plugin.
 *
 * @packageDocumentation
 */

export { mailerPlugin as default } from './plugin';
