import type { Readable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import SMTPConnection, {
  type SMTPConnectionAuth,
} from 'nodemailer/lib/smtp-connection';
import { trustedContext } from '../net/trustedContexts';
import { cleanServerText } from '../text/cleanServerText';
import {
  SmtpEnvelope,
  SmtpRecipientRefusal,
  SmtpSendResult,
} from '../transport/MailTransport';
import {
  SmtpAttemptError,
  SmtpErrorFields,
  transactionStage,
} from '../transport/SmtpAttemptError';
import { AddressResolver, openSmtpSocket } from './openSmtpSocket';
import { SmtpLogin, SmtpServerSettings } from './SmtpServerSettings';
import { logInWithXOAuth2, XOAuth2Tokens } from './xoauth2Login';

/** How a session connects, and how long it waits. */
export interface SmtpSessionOptions {
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  /** A server that stays silent this long in the middle of a command has failed. */
  socketTimeoutMs: number;
  resolve: AddressResolver;
  tls: ConnectionOptions;
  /** The name sent with EHLO; nodemailer's default is the machine's host name. */
  clientName?: string;
  /** Whether a password may be sent over a connection without TLS. */
  allowInsecureAuth: boolean;
  /** Access tokens for an OAuth2 login; `renew` after the server refused one. */
  accessToken?: XOAuth2Tokens;
}

/** What a session tells whoever keeps it. */
export interface SmtpSessionEvents {
  /** It may take the next message (after a success, or a refusal and a reset). */
  reusable(session: SmtpSession): void;
  /** It is closed, by either side, and must be forgotten. */
  gone(session: SmtpSession): void;
}

/**
 * A whole transaction (envelope, up to 25 MB of data, the answer) may take
 * this many socket timeouts before it is given up as hung.
 */
const TRANSACTION_DEADLINE_FACTOR = 5;

function errorWithCode(message: string, code: string): Error & SmtpErrorFields {
  return Object.assign(new Error(message), { code });
}

function toRefusal(error: SmtpErrorFields): SmtpRecipientRefusal {
  return {
    recipient: error.recipient ?? '',
    responseCode: error.responseCode,
    response:
      error.response === undefined
        ? undefined
        : cleanServerText(error.response),
  };
}

/**
 * One logged-in SMTP connection, on nodemailer's SMTPConnection (the
 * dialogue): connects over a socket we opened (TCP_NODELAY, the checked
 * address), upgrades, logs in, then runs one transaction at a time. Every
 * failure says its stage; whole dialogues have deadlines, because the
 * socket timeout only notices silence and a server may trickle a byte now
 * and then for ever.
 */
export class SmtpSession {
  closed = false;
  /** For the keeper's idle timer. */
  idleTimer?: NodeJS.Timeout;
  /** Fails what is running on the connection when the connection dies under it. */
  private abort?: (error: Error) => void;

  private constructor(
    private readonly smtp: SMTPConnection,
    private readonly server: SmtpServerSettings,
    private readonly options: SmtpSessionOptions,
    private readonly events: SmtpSessionEvents,
  ) {
    this.watch();
  }

  /** Connects and logs in; rejects with `SmtpAttemptError` at stage `connect`. */
  static async open(
    server: SmtpServerSettings,
    options: SmtpSessionOptions,
    events: SmtpSessionEvents,
  ): Promise<SmtpSession> {
    let session: SmtpSession | undefined;
    let cancelDeadline = () => {};
    try {
      const socket = await openSmtpSocket(server, {
        resolve: options.resolve,
        timeoutMs: options.connectionTimeoutMs,
      });
      const smtp = new SMTPConnection({
        host: server.host,
        port: server.port,
        secure: server.security === 'tls',
        requireTLS: server.security === 'starttls',
        ignoreTLS: server.security === 'none',
        name: server.heloName ?? options.clientName,
        tls: tlsOptions(server, options.tls),
        connection: socket,
        connectionTimeout: options.connectionTimeoutMs,
        greetingTimeout: options.greetingTimeoutMs,
        socketTimeout: options.socketTimeoutMs,
        logger: false,
      });
      const opened = new SmtpSession(smtp, server, options, events);
      session = opened;
      cancelDeadline = opened.deadline(
        options.connectionTimeoutMs +
          options.greetingTimeoutMs +
          2 * options.socketTimeoutMs,
        'greet and let us log in',
      );
      await opened.step(done => smtp.connect(() => done()));
      if (server.auth) {
        if (!smtp.secure && !options.allowInsecureAuth) {
          throw errorWithCode(
            `${server.host}:${server.port} offers no TLS, and a password is never sent unencrypted`,
            'EINSECURE',
          );
        }
        // Always log in when credentials are set, even if the server does not
        // advertise AUTH: otherwise a relay that trusts our address would take
        // the mail without checking who sends it.
        await opened.logIn(server.auth);
      }
      return opened;
    } catch (error) {
      session?.discard();
      throw new SmtpAttemptError('connect', error as Error);
    } finally {
      cancelDeadline();
    }
  }

  /**
   * Sends one message. Rejects with `SmtpAttemptError` at the stage it
   * failed; after a refusal the session resets and becomes reusable, after
   * anything else it is closed.
   */
  transact(
    envelope: SmtpEnvelope,
    message: Readable | Buffer | string,
  ): Promise<SmtpSendResult> {
    clearTimeout(this.idleTimer);
    return new Promise((resolve, reject) => {
      this.abort = error => reject(new SmtpAttemptError('transaction', error));
      const cancelDeadline = this.deadline(
        TRANSACTION_DEADLINE_FACTOR * this.options.socketTimeoutMs,
        'take the message',
      );
      this.smtp.send(envelope, message, (error, info) => {
        cancelDeadline();
        this.abort = undefined;
        if (error) {
          this.afterRefusal(error);
          reject(new SmtpAttemptError(transactionStage(error), error));
          return;
        }
        this.events.reusable(this);
        resolve({
          accepted: info?.accepted ?? [],
          refused: (info?.rejectedErrors ?? []).map(toRefusal),
          response:
            info?.response === undefined
              ? undefined
              : cleanServerText(info.response),
        });
      });
    });
  }

  /** Says goodbye (QUIT) and closes. */
  quit(): void {
    if (this.closed) return;
    this.forget();
    try {
      this.smtp.quit();
    } catch {
      this.smtp.close();
    }
  }

  /** Closes at once. */
  discard(): void {
    if (this.closed) return;
    this.forget();
    this.smtp.close();
  }

  /**
   * Fails what runs on the connection if it is not done within `ms`,
   * whatever the server trickles meanwhile, and drops the connection.
   * Returns what cancels it.
   */
  private deadline(ms: number, what: string): () => void {
    const timer = setTimeout(() => {
      const abort = this.abort;
      this.abort = undefined;
      this.discard();
      abort?.(
        errorWithCode(
          `${this.server.host}:${this.server.port} took longer than ${Math.round(ms / 1000)} s to ${what}`,
          'ETIMEDOUT',
        ),
      );
    }, ms);
    timer.unref();
    return () => clearTimeout(timer);
  }

  /** Logs in with the password, or with XOAUTH2 tokens from the shared cache. */
  private async logIn(login: SmtpLogin): Promise<void> {
    const run = (auth: SMTPConnectionAuth) =>
      this.step(done =>
        this.smtp.login(auth, error => done(error ?? undefined)),
      );
    if (login.kind === 'password') {
      await run({ user: login.user, pass: login.pass, method: login.method });
      return;
    }
    const accessToken = this.options.accessToken;
    if (!accessToken) {
      throw errorWithCode('No access tokens for this server', 'ETOKEN');
    }
    await logInWithXOAuth2(login.user, accessToken, run);
  }

  /** Runs one step of the dialogue; fails if the connection dies meanwhile. */
  private step(run: (done: (error?: Error) => void) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.abort = reject;
      run(error => {
        this.abort = undefined;
        if (error) reject(error);
        else resolve();
      });
    });
  }

  /**
   * After the server refused a message (it answered), the connection is
   * still good once the transaction is reset; after anything else it is not.
   */
  private afterRefusal(error: SmtpErrorFields): void {
    if (
      this.closed ||
      error.responseCode === undefined ||
      error.responseCode === 421
    ) {
      this.discard();
      return;
    }
    this.smtp.reset(resetError => {
      if (resetError) this.discard();
      else this.events.reusable(this);
    });
  }

  /**
   * Listens for the connection dying at any time, idle or busy. The listener
   * stays for the connection's whole life, so no error is ever unhandled.
   */
  private watch(): void {
    const gone = (error: Error) => {
      const abort = this.abort;
      this.abort = undefined;
      this.forget();
      abort?.(error);
    };
    this.smtp.on('error', gone);
    this.smtp.on('end', () =>
      gone(errorWithCode('Connection closed by the server', 'ECONNECTION')),
    );
  }

  private forget(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.events.gone(this);
  }
}

/**
 * The tenant's own trust (an authority of its own, or none) on top of the
 * operator's: the public roots and every extra certificate (`ca`), as a
 * context built once per set of certificates.
 */
function tlsOptions(
  server: SmtpServerSettings,
  operator: ConnectionOptions,
): ConnectionOptions {
  const own = server.tls;
  const { ca, ...rest } = operator;
  const trusted = [...((ca as string[] | undefined) ?? []), ...(own?.ca ?? [])];
  const minVersion = rest.minVersion === 'TLSv1.3' ? 'TLSv1.3' : 'TLSv1.2';
  return {
    ...rest,
    ...(trusted.length > 0 && {
      secureContext: trustedContext(trusted, minVersion),
    }),
    ...(own?.rejectUnauthorized === false && { rejectUnauthorized: false }),
  };
}
