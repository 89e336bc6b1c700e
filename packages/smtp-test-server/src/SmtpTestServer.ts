import { AddressInfo } from 'node:net';
import { simpleParser, ParsedMail } from 'mailparser';
import {
  SMTPServer,
  SMTPServerAddress,
  SMTPServerAuthentication,
  SMTPServerAuthenticationResponse,
  SMTPServerSession,
} from 'smtp-server';
import { PemCertificate } from './selfSignedCertificate';

/** An SMTP reply to send instead of accepting, e.g. `{ code: 535, message: '5.7.139 ...' }`. */
export interface SmtpReplyOverride {
  code: number;
  message: string;
}

/** A message as the server received it. */
export interface ReceivedMessage {
  /** The SMTP envelope: MAIL FROM and RCPT TO. */
  envelope: { mailFrom: string; rcptTo: string[] };
  /** The user that logged in for this message, if any. */
  authenticatedUser?: string;
  /** Whether the connection was encrypted (STARTTLS or TLS) when the message was sent. */
  secure: boolean;
  raw: string;
  parsed: ParsedMail;
  receivedAt: Date;
}

/** A login attempt, with the credentials the server saw. */
export interface AuthAttempt {
  method: string;
  username?: string;
  password?: string;
  accessToken?: string;
}

export interface SmtpTestServerOptions {
  /**
   * Accounts allowed to log in; when set, AUTH is required before MAIL FROM.
   * Without it any login is accepted and none is required, as a mail catcher does.
   */
  users?: Record<string, string>;
  /**
   * Checks an XOAUTH2 bearer token (e.g. against a test token endpoint);
   * a token it refuses gets Office 365's `535 5.7.3`. Without it any
   * XOAUTH2 login is accepted.
   */
  acceptAccessToken?: (username: string, accessToken: string) => boolean;
  /**
   * Refuse XOAUTH2 tokens as Gmail does: a 334 challenge with a JSON error,
   * then 535 once the client answers it (clients may then ask for a new
   * token and log in again). Without it a refused token gets 535 at once,
   * as Exchange Online answers.
   */
  xoauth2Challenge?: boolean;
  /** Offer STARTTLS with this certificate. Without it STARTTLS is not offered. */
  certificate?: PemCertificate;
  /** Refuse AUTH until the client has upgraded to TLS (what real servers do). */
  requireTlsForAuth?: boolean;
  /** Speak TLS from the first byte (port 465 style). Needs `certificate`. */
  implicitTls?: boolean;
  /** Refuse connections beyond this many at once with 421. */
  maxClients?: number;
  /** Called for each stage; return a reply to refuse with it. */
  replies?: {
    connect?: () => SmtpReplyOverride | undefined;
    auth?: (attempt: AuthAttempt) => SmtpReplyOverride | undefined;
    mailFrom?: (address: string) => SmtpReplyOverride | undefined;
    rcptTo?: (address: string) => SmtpReplyOverride | undefined;
    /** May answer later (a promise), as a server that is slow to refuse. */
    data?: (
      envelope: ReceivedMessage['envelope'],
    ) => SmtpReplyOverride | undefined | Promise<SmtpReplyOverride | undefined>;
  };
  /**
   * Wait this long (ms) after a message's data before answering it, as a
   * slow server does. The message counts as received once answered.
   */
  replyDelayMs?: number;
  /** Called for each message accepted, e.g. to log it. */
  onMessage?: (message: ReceivedMessage) => void;
  /** Keep at most this many messages in `messages` (oldest dropped first). */
  keepLast?: number;
  host?: string;
  port?: number;
}

function replyError(reply: SmtpReplyOverride): Error {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

/**
 * A real SMTP server on loopback (the `smtp-server` package) that records
 * what it receives: envelopes, parsed messages, login attempts and
 * connection counts.
 */
export class SmtpTestServer {
  readonly messages: ReceivedMessage[] = [];
  readonly authAttempts: AuthAttempt[] = [];
  /** Connections accepted since start, and open right now (and the most at once). */
  readonly connections = { opened: 0, open: 0, peak: 0 };
  /**
   * Recipients of messages whose data arrived but whose answer is still
   * pending (see `replyDelayMs`): what is "on the wire" right now.
   */
  readonly answering = new Map<string, number>();
  private readonly waiters = new Set<() => void>();
  private server?: SMTPServer;
  private address?: AddressInfo;

  constructor(private readonly options: SmtpTestServerOptions = {}) {}

  static async start(
    options: SmtpTestServerOptions = {},
  ): Promise<SmtpTestServer> {
    const server = new SmtpTestServer(options);
    await server.listen();
    return server;
  }

  get port(): number {
    if (!this.address) throw new Error('The SMTP test server is not listening');
    return this.address.port;
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  /** Resolves once at least `count` messages have arrived; rejects after `timeoutMs`. */
  async waitForMessages(
    count: number,
    timeoutMs = 10_000,
  ): Promise<ReceivedMessage[]> {
    if (this.messages.length >= count) return this.messages;
    return new Promise((resolve, reject) => {
      const timeout: { timer?: NodeJS.Timeout } = {};
      const check = () => {
        if (this.messages.length < count) return;
        this.waiters.delete(check);
        clearTimeout(timeout.timer);
        resolve(this.messages);
      };
      timeout.timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `Expected ${count} messages, received ${this.messages.length} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Forgets what was received so far. */
  reset(): void {
    this.messages.length = 0;
    this.authAttempts.length = 0;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>(resolve => server.close(() => resolve()));
  }

  private async listen(): Promise<void> {
    const { options } = this;
    const users = options.users;
    const server = new SMTPServer({
      secure: options.implicitTls ?? false,
      ...(options.certificate ?? {}),
      disabledCommands: options.certificate ? [] : ['STARTTLS'],
      authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'],
      authOptional: !users,
      allowInsecureAuth: !options.requireTlsForAuth,
      disableReverseLookup: true,
      // Pooled clients keep connections open; do not wait long for them on close.
      closeTimeout: 200,
      maxClients: options.maxClients,
      logger: false,
      size: 50 * 1024 * 1024,
      onConnect: (_session, callback) => {
        this.connections.opened += 1;
        this.connections.open += 1;
        this.connections.peak = Math.max(
          this.connections.peak,
          this.connections.open,
        );
        this.replyOr(options.replies?.connect?.(), callback);
      },
      onClose: () => {
        this.connections.open -= 1;
      },
      onAuth: (auth, _session, callback) => this.onAuth(auth, callback),
      onMailFrom: (address, _session, callback) =>
        this.replyOr(options.replies?.mailFrom?.(address.address), callback),
      onRcptTo: (address, _session, callback) =>
        this.replyOr(options.replies?.rcptTo?.(address.address), callback),
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.onMessageData(Buffer.concat(chunks), session).then(
            () => callback(),
            error => callback(error),
          );
        });
      },
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, this.host, () => {
        server.off('error', reject);
        this.address = server.server.address() as AddressInfo;
        resolve();
      });
    });
    // A client that drops its connection is normal in tests; keep serving.
    server.on('error', () => undefined);
  }

  private onAuth(
    auth: SMTPServerAuthentication,
    callback: (
      err: Error | null | undefined,
      response?: SMTPServerAuthenticationResponse,
    ) => void,
  ): void {
    const attempt: AuthAttempt = {
      method: auth.method,
      username: auth.username,
      password: auth.password,
      accessToken: auth.accessToken,
    };
    this.authAttempts.push(attempt);
    const override = this.options.replies?.auth?.(attempt);
    if (override) {
      callback(replyError(override));
      return;
    }
    const username = auth.username ?? '';
    if (auth.method === 'XOAUTH2') {
      const accept = this.options.acceptAccessToken;
      if (accept && !accept(username, auth.accessToken ?? '')) {
        if (this.options.xoauth2Challenge) {
          callback(null, {
            data: { status: '401', schemes: 'bearer', scope: 'mail' },
          });
          return;
        }
        callback(
          replyError({
            code: 535,
            message: '5.7.3 Authentication unsuccessful',
          }),
        );
      } else {
        callback(null, { user: username });
      }
      return;
    }
    const users = this.options.users;
    if (
      users &&
      (users[username] === undefined || auth.password !== users[username])
    ) {
      callback(
        replyError({
          code: 535,
          message: '5.7.8 Authentication credentials invalid',
        }),
      );
      return;
    }
    callback(null, { user: username });
  }

  private replyOr(
    reply: SmtpReplyOverride | undefined,
    callback: (err?: Error | null) => void,
  ) {
    callback(reply ? replyError(reply) : undefined);
  }

  private async onMessageData(
    raw: Buffer,
    session: SMTPServerSession,
  ): Promise<void> {
    const mailFrom = session.envelope.mailFrom as SMTPServerAddress | false;
    const envelope = {
      mailFrom: mailFrom ? mailFrom.address : '',
      rcptTo: session.envelope.rcptTo.map(r => r.address),
    };
    const override = await this.options.replies?.data?.(envelope);
    if (override) throw replyError(override);
    const delayMs = this.options.replyDelayMs;
    const count = (r: string, by: number) => {
      this.answering.set(r, (this.answering.get(r) ?? 0) + by);
      if (this.answering.get(r) === 0) this.answering.delete(r);
    };
    if (delayMs) envelope.rcptTo.forEach(r => count(r, 1));
    let message: ReceivedMessage;
    try {
      if (delayMs) await new Promise(resolve => setTimeout(resolve, delayMs));
      message = {
        envelope,
        authenticatedUser: session.user as string | undefined,
        secure: session.secure,
        raw: raw.toString('utf8'),
        parsed: await simpleParser(raw),
        receivedAt: new Date(),
      };
      this.messages.push(message);
    } finally {
      // Counted until it is in `messages`: a message is always in one or
      // the other, never in neither while it is being parsed.
      if (delayMs) envelope.rcptTo.forEach(r => count(r, -1));
    }
    const keepLast = this.options.keepLast;
    if (keepLast !== undefined && this.messages.length > keepLast) {
      this.messages.splice(0, this.messages.length - keepLast);
    }
    this.options.onMessage?.(message);
    for (const waiter of [...this.waiters]) waiter();
  }
}
