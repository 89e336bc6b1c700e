/**
 * The mailer backend could not be reached, timed out or failed (5xx, 429):
 * the request was fine and trying again later may work.
 *
 * @public
 */
export class MailerUnavailableError extends Error {
  name = 'MailerUnavailableError' as const;
}
