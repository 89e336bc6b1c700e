/**
 * A token endpoint refused to issue an access token, or could not be
 * reached. Carries what the endpoint said (its `error`, its error codes such
 * as AADSTS7000215, and its description), never a secret.
 */
export class TokenError extends Error {
  readonly code = 'ETOKEN';

  constructor(
    message: string,
    readonly details: {
      /** Which grant was asked for: the same error means different things for each. */
      grant?: 'client_credentials' | 'jwt-bearer' | 'refresh_token';
      /** The HTTP status; absent when the endpoint could not be reached. */
      status?: number;
      /** OAuth2's error, e.g. invalid_client, invalid_grant, unauthorized_client. */
      error?: string;
      /** Microsoft's AADSTS numbers, e.g. [7000215]. */
      errorCodes?: number[];
      description?: string;
    },
  ) {
    super(message);
    this.name = 'TokenError';
  }
}
