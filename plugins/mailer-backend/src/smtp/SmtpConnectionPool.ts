import { Readable } from 'node:stream';
import {
  MailTransport,
  SmtpEnvelope,
  SmtpSendResult,
} from '../transport/MailTransport';
import {
  SmtpAttemptError,
  SmtpErrorFields,
} from '../transport/SmtpAttemptError';
import { readWholeMessage } from './readWholeMessage';
import { SmtpServerSettings } from './SmtpServerSettings';
import { SmtpSession, SmtpSessionOptions } from './SmtpSession';

/** How a pool connects, and how long it waits. */
export interface SmtpPoolOptions extends SmtpSessionOptions {
  /** Connections open at once, at most; real servers refuse more (421, 432 4.3.2). */
  maxConnections: number;
  /** An unused connection is closed (QUIT) after this, before the server drops it. */
  idleTimeoutMs: number;
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
 * kept while mail flows, closed when idle. Built on sessions of nodemailer's
 * SMTPConnection (the SMTP dialogue) but not on its pool, so that every
 * failure says at which stage it happened, nothing is re-sent behind the
 * caller's back, and idle connections close without stray errors.
 *
 * Callers send at most `maxConnections` messages at a time (see `hasRoom`).
 */
export class SmtpConnectionPool implements MailTransport {
  /** SMTP takes the envelope's recipients: Bcc stays out of the headers. */
  readonly needsBccHeader = false;
  private readonly idle: SmtpSession[] = [];
  private readonly open = new Set<SmtpSession>();
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
   * Sends one message, read whole first when it is small (see
   * `readWholeMessage`); `message` is called again for a second try on a
   * fresh connection when it is streamed. Rejects with `SmtpAttemptError`.
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
      let body = await readWholeMessage(message());
      const kept = this.idle.pop();
      if (kept) {
        try {
          return await kept.transact(envelope, body);
        } catch (error) {
          const failure = (error as SmtpAttemptError).failure;
          if (!failure || !failedBeforeTheMessage(failure)) throw error;
        }
        // A stream can be read only once.
        if (body instanceof Readable) body = await readWholeMessage(message());
      }
      const fresh = await this.connect();
      return await fresh.transact(envelope, body);
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
      (await this.connect()).quit();
    } finally {
      this.sending -= 1;
    }
  }

  /** Closes idle connections with QUIT now, and the others when their message is done. */
  close(): void {
    this.closed = true;
    for (const session of this.idle.splice(0)) session.quit();
  }

  /** Drops every connection at once, e.g. when the backend stops and cannot wait. */
  destroy(): void {
    this.closed = true;
    this.idle.length = 0;
    for (const session of [...this.open]) session.discard();
  }

  private async connect(): Promise<SmtpSession> {
    const session = await SmtpSession.open(this.server, this.options, {
      reusable: done => this.release(done),
      gone: gone => this.forget(gone),
    });
    if (!session.closed) this.open.add(session);
    return session;
  }

  private release(session: SmtpSession): void {
    if (session.closed) return;
    if (this.closed) {
      session.quit();
      return;
    }
    this.idle.push(session);
    session.idleTimer = setTimeout(() => {
      const index = this.idle.indexOf(session);
      if (index >= 0) this.idle.splice(index, 1);
      session.quit();
    }, this.options.idleTimeoutMs);
    session.idleTimer.unref();
  }

  private forget(session: SmtpSession): void {
    this.open.delete(session);
    const index = this.idle.indexOf(session);
    if (index >= 0) this.idle.splice(index, 1);
  }
}
