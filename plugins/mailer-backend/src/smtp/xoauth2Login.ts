import type { SMTPConnectionAuth } from 'nodemailer/lib/smtp-connection';
import XOAuth2 from 'nodemailer/lib/xoauth2';

/** Access tokens for one mailbox; `renew` with the token the server refused. */
export type XOAuth2Tokens = (
  renew: boolean,
  refused?: string,
) => Promise<string>;

/**
 * Logs in with XOAUTH2, with tokens from the mailer's shared cache rather
 * than nodemailer's own per-connection state. A server that refuses a token
 * the way Gmail does (a 334 challenge, then 535) gets nodemailer's retry
 * with `renew`; one that answers 535 at once, as Exchange Online does, gets
 * one more AUTH here. Both retries ask for a token other than the refused
 * one: a token refused before it expires (consent or permissions granted
 * after it was issued, a revoked session) is not handed out again.
 * `login` runs one AUTH with what nodemailer's `login` takes.
 */
export async function logInWithXOAuth2(
  user: string,
  tokens: XOAuth2Tokens,
  login: (auth: SMTPConnectionAuth) => Promise<void>,
): Promise<void> {
  let last: string | undefined;
  let renewed = false;
  const auth = (renewFirst: boolean): SMTPConnectionAuth => {
    let renewNext = renewFirst;
    const oauth2 = new XOAuth2({
      user,
      provisionCallback: (_user, renew, callback) => {
        const again = renew || renewNext;
        renewNext = false;
        renewed ||= again;
        tokens(again, again ? last : undefined).then(
          token => {
            last = token;
            callback(null, token);
          },
          (error: Error) =>
            // nodemailer rewrites the code of the error it is given; the
            // token failure travels beside it.
            callback(
              Object.assign(new Error(error.message), { tokenError: error }),
            ),
        );
      },
    });
    return { user, method: 'XOAUTH2', oauth2 };
  };
  try {
    await login(auth(false));
  } catch (error) {
    const { responseCode, tokenError } = error as {
      responseCode?: number;
      tokenError?: unknown;
    };
    const refusedAtOnce =
      responseCode === 535 && !tokenError && !renewed && last !== undefined;
    if (!refusedAtOnce) throw error;
    await login(auth(true));
  }
}
