import type { Readable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { rootCertificates } from 'node:tls';
import SMTPConnection, {
  type SMTPConnectionAuth,
} from 'nodemailer/lib/smtp-connection';
import { AddressResolver, openSmtpSocket } from './openSmtpSocket';
import { cleanServerText } from '../text/cleanServerText';
import {
  MailTransport,
  SmtpEnvelope,
  SmtpRecipientRefusal,
  SmtpSendResult,
} from '../transport/MailTransport';
import {
  SmtpAttemptError,
  SmtpErrorFields,
  transactionStage,
} from '../transport/SmtpAttemptError';
import { SmtpLogin, SmtpServerSettings } from './SmtpServerSettings';
import { logInWithXOAuth2, XOAuth2Tokens } from './xoauth2Login';

/** How a pool connects, and how long it waits. */
export interface SmtpPoolOptions {
  /** Connections open at once, at most; real servers refuse more (421, 432 4.3.2). */
  maxConnections: number;
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  /** A server that stays silent this long in the middle of a command has failed. */
  socketTimeoutMs: number;
  /** An unused connection is closed (QUIT) after this, before the server drops it. */
  idleTimeoutMs: number;
  resolve: AddressResolver;
  tls: ConnectionOptions;
  /** The name sent with EHLO; nodemailer's default is the machine's host name. */
  clientName?: string;
  /** Whether a password may be sent over a connection without TLS. */
  allowInsecureAuth: boolean;
  /** Access tokens for an OAuth2 login; `renew` after the server refused one. */
  accessToken?: XOAuth2Tokens;
}

interface PooledConnection {
  smtp: SMTPConnection;
  closed: boolean;
  idleTimer?: NodeJS.Timeout;
  /** Fails what is running on the connection when the connection dies under it. */
  abort?: (error: Error) => void;
}

/**
 * A whole transaction (envelope, up to 25 MB of data, the answer) may take
 * this many socket timeouts before it is given up as hung.
 */
const TRANSACTION_DEADLINE_FACTOR = 5;

function errorWithCode(message: string, code: string): Error & SmtpErrorFields {
  return Object.assign(new Error(message), { code });
}

/**
 * A kept connection failed before any part of the message was sent, so
 * trying again on a fresh connection cannot deliver it twice: the server
 * dropped it while it was idle, or said goodbye (421) meanwhile.
 */
function failedBeforeTheMessage(error: SmtpErrorFields): boolean {
  if (!['API', 'MAIL FROM'].includes(error.command ?? '')) return false;
  if (error.responseCode === 421) return true;
  return (
    error.responseCode === undefined &&
    ['ECONNECTION', 'ESOCKET'].includes(error.code ?? '')
  );
}

/**
 * Connections to one SMTP server: opened on demand up to `maxConnections`,
 * kept while mail flows, closed when idle. Built on nodemailer's
 * SMTPConnection (the SMTP dialogue) but not on its pool, so that every
 * failure says at which stage it happened, nothing is re-sent behind the
 * caller's back, and idle connections close without stray errors.
 *
 * Callers send at most `maxConnections` messages at a time (see `hasRoom`).
 */
export class SmtpConnectionPool implements MailTransport {
  /** SMTP takes the envelope's recipients: Bcc stays out of the headers. */
  readonly needsBccHeader = false;
  private readonly idle: PooledConnection[] = [];
  private readonly open = new Set<PooledConnection>();
  private sending = 0;
  private closed = false;

  constructor(
    readonly server: SmtpServerSettings,
    private readonly options: SmtpPoolOptions,
  ) {}

  /** Whether another message may be sent now. */
  get hasRoom(): boolean {
    return !this.closed && this.sending < this.options.maxConnections;
  }

  /** Messages being sent right now. */
  get busy(): number {
    return this.sending;
  }

  /** Connections open now, for tests and metrics. */
  get openConnections(): number {
    return this.open.size;
  }

  /**
   * Sends one message. `message` is called for each try, because a stream
   * can be read only once. Rejects with `SmtpAttemptError`.
   */
  async send(
    envelope: SmtpEnvelope,
    message: () => Readable | Buffer | string,
  ): Promise<SmtpSendResult> {
    if (!this.hasRoom) {
      throw new Error('The SMTP pool has no free connection');
    }
    this.sending += 1;
    try {
      const kept = this.idle.pop();
      if (kept) {
        try {
          return await this.transact(kept, envelope, message());
        } catch (error) {
          const failure = (error as SmtpAttemptError).failure;
          if (!failure || !failedBeforeTheMessage(failure)) throw error;
        }
      }
      const fresh = await this.connect();
      return await this.transact(fresh, envelope, message());
    } finally {
      this.sending -= 1;
    }
  }

  /** Connects (and logs in) without sending anything, then says goodbye. */
  async verify(): Promise<void> {
    if (!this.hasRoom) {
      throw new Error('The SMTP pool has no free connection');
    }
    this.sending += 1;
    try {
      this.quit(await this.connect());
    } finally {
      this.sending -= 1;
    }
  }

  /** Closes idle connections with QUIT now, and the others when their message is done. */
  close(): void {
    this.closed = true;
    for (const connection of this.idle.splice(0)) this.quit(connection);
  }

  /** Drops every connection at once, e.g. when the backend stops and cannot wait. */
  destroy(): void {
    this.closed = true;
    this.idle.length = 0;
    for (const connection of [...this.open]) this.discard(connection);
  }

  private async connect(): Promise<PooledConnection> {
    const { server, options } = this;
    let connection: PooledConnection | undefined;
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
        tls: this.tlsOptions(),
        connection: socket,
        connectionTimeout: options.connectionTimeoutMs,
        greetingTimeout: options.greetingTimeoutMs,
        socketTimeout: options.socketTimeoutMs,
        logger: false,
      });
      connection = { smtp, closed: false };
      this.watch(connection);
      // The socket timeout only notices silence: a server that trickles a
      // byte now and then would hold the connection for ever.
      cancelDeadline = this.deadline(
        connection,
        options.connectionTimeoutMs +
          options.greetingTimeoutMs +
          2 * options.socketTimeoutMs,
        'greet and let us log in',
      );
      await this.step(connection, done => smtp.connect(() => done()));
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
        await this.logIn(connection, server.auth);
      }
      return connection;
    } catch (error) {
      if (connection) this.discard(connection);
      throw new SmtpAttemptError('connect', error as Error);
    } finally {
      cancelDeadline();
    }
  }

  /**
   * Fails what runs on the connection if it is not done within `ms`,
   * whatever the server trickles meanwhile, and drops the connection.
   * Returns what cancels it.
   */
  private deadline(
    connection: PooledConnection,
    ms: number,
    what: string,
  ): () => void {
    const timer = setTimeout(() => {
      const abort = connection.abort;
      connection.abort = undefined;
      this.discard(connection);
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

  /** The tenant's own trust (an authority of its own, or none) on top of the operator's. */
  private tlsOptions(): ConnectionOptions {
    const own = this.server.tls;
    const ca = [
      ...((this.options.tls.ca as string[] | undefined) ?? []),
      ...(own?.ca ?? []),
    ];
    return {
      ...this.options.tls,
      ...(own?.ca && {
        ca: ca.length ? [...rootCertificates, ...ca] : undefined,
      }),
      ...(own?.rejectUnauthorized === false && { rejectUnauthorized: false }),
    };
  }

  /** Logs in with the password, or with XOAUTH2 tokens from the shared cache. */
  private async logIn(
    connection: PooledConnection,
    login: SmtpLogin,
  ): Promise<void> {
    const run = (auth: SMTPConnectionAuth) =>
      this.step(connection, done =>
        connection.smtp.login(auth, error => done(error ?? undefined)),
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
  private step(
    connection: PooledConnection,
    run: (done: (error?: Error) => void) => void,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      connection.abort = reject;
      run(error => {
        connection.abort = undefined;
        if (error) reject(error);
        else resolve();
      });
    });
  }

  private transact(
    connection: PooledConnection,
    envelope: SmtpEnvelope,
    message: Readable | Buffer | string,
  ): Promise<SmtpSendResult> {
    clearTimeout(connection.idleTimer);
    return new Promise((resolve, reject) => {
      connection.abort = error =>
        reject(new SmtpAttemptError('transaction', error));
      const cancelDeadline = this.deadline(
        connection,
        TRANSACTION_DEADLINE_FACTOR * this.options.socketTimeoutMs,
        'take the message',
      );
      connection.smtp.send(envelope, message, (error, info) => {
        cancelDeadline();
        connection.abort = undefined;
        if (error) {
          this.afterRefusal(connection, error);
          reject(new SmtpAttemptError(transactionStage(error), error));
          return;
        }
        this.release(connection);
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

  /**
   * After the server refused a message (it answered), the connection is
   * still good once the transaction is reset; after anything else it is not.
   */
  private afterRefusal(
    connection: PooledConnection,
    error: SmtpErrorFields,
  ): void {
    if (
      connection.closed ||
      error.responseCode === undefined ||
      error.responseCode === 421
    ) {
      this.discard(connection);
      return;
    }
    connection.smtp.reset(resetError => {
      if (resetError) this.discard(connection);
      else this.release(connection);
    });
  }

  private release(connection: PooledConnection): void {
    if (connection.closed) return;
    if (this.closed) {
      this.quit(connection);
      return;
    }
    this.idle.push(connection);
    connection.idleTimer = setTimeout(() => {
      const index = this.idle.indexOf(connection);
      if (index >= 0) this.idle.splice(index, 1);
      this.quit(connection);
    }, this.options.idleTimeoutMs);
    connection.idleTimer.unref();
  }

  /**
   * Listens for the connection dying at any time, idle or busy. The listener
   * stays for the connection's whole life, so no error is ever unhandled.
   */
  private watch(connection: PooledConnection): void {
    this.open.add(connection);
    const gone = (error: Error) => {
      const abort = connection.abort;
      connection.abort = undefined;
      this.forget(connection);
      abort?.(error);
    };
    connection.smtp.on('error', gone);
    connection.smtp.on('end', () =>
      gone(errorWithCode('Connection closed by the server', 'ECONNECTION')),
    );
  }

  private quit(connection: PooledConnection): void {
    if (connection.closed) return;
    this.forget(connection);
    try {
      connection.smtp.quit();
    } catch {
      connection.smtp.close();
    }
  }

  private discard(connection: PooledConnection): void {
    if (connection.closed) return;
    this.forget(connection);
    connection.smtp.close();
  }

  private forget(connection: PooledConnection): void {
    connection.closed = true;
    clearTimeout(connection.idleTimer);
    this.open.delete(connection);
    const index = this.idle.indexOf(connection);
    if (index >= 0) this.idle.splice(index, 1);
  }
}

function toRefusal(error: SmtpErrorFields): SmtpRecipientRefusal {
  return {
    recipient: error.recipient ?? '',
    responseCode: error.responseCode,
    response:
      error.response === undefined ? undefined : cleanServerText(error.response),
  };
}
