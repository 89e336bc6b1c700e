import { AddressInfo, createServer, Server, Socket } from 'node:net';

/** The points of an SMTP dialogue a hostile server may answer as it likes. */
export type HostileStage =
  'greeting' | 'ehlo' | 'mail' | 'rcpt' | 'data' | 'end';

/**
 * Bytes to answer with at a stage (a whole reply, CRLF included), or
 * undefined for the usual success reply; or `{ drip }`: its text one byte
 * every 200 ms, over and over, so the connection is never idle and never
 * done. `argument` is what the client sent with the command (e.g. the
 * address of RCPT TO).
 */
export type HostileReply = (
  stage: HostileStage,
  argument: string,
) => Buffer | string | { drip: string } | undefined;

/** A message the server accepted. */
export interface HostileMessage {
  mailFrom: string;
  rcptTo: string[];
  data: string;
}

const OK: Record<HostileStage, string> = {
  greeting: '220 hostile.test ESMTP\r\n',
  ehlo: '250-hostile.test\r\n250 8BITMIME\r\n',
  mail: '250 2.1.0 Ok\r\n',
  rcpt: '250 2.1.5 Ok\r\n',
  data: '354 End data with <CR><LF>.<CR><LF>\r\n',
  end: '250 2.0.0 Ok: queued\r\n',
};

/**
 * A minimal SMTP server (no TLS, no AUTH) whose replies a test writes byte
 * by byte: NUL bytes, invalid UTF-8, escape sequences, 100 kB lines or
 * whatever a hostile or broken server on the internet might send. Replies
 * starting with 421 close the connection after they are sent, as SMTP
 * says. Accepted messages are recorded.
 */
export class HostileSmtpServer {
  readonly messages: HostileMessage[] = [];
  private readonly sockets = new Set<Socket>();
  private address?: AddressInfo;

  private readonly server: Server;

  private constructor(private readonly reply: HostileReply) {
    this.server = createServer(socket => this.serve(socket));
  }

  static async start(
    reply: HostileReply,
    options: { port?: number } = {},
  ): Promise<HostileSmtpServer> {
    const instance = new HostileSmtpServer(reply);
    const server = instance.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    instance.address = server.address() as AddressInfo;
    return instance;
  }

  get host(): string {
    return '127.0.0.1';
  }

  get port(): number {
    return this.address!.port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let envelope: HostileMessage = { mailFrom: '', rcptTo: [], data: '' };
    let inData = false;
    let buffer = '';
    /** Answers a stage; whether the dialogue goes on as if it succeeded. */
    const answer = (stage: HostileStage, argument: string): boolean => {
      const custom = this.reply(stage, argument);
      if (typeof custom === 'object' && !Buffer.isBuffer(custom)) {
        let next = 0;
        const timer = setInterval(() => {
          socket.write(custom.drip[next % custom.drip.length]);
          next += 1;
        }, 200);
        socket.on('close', () => clearInterval(timer));
        return false;
      }
      const bytes = custom ?? OK[stage];
      socket.write(bytes);
      const text = Buffer.isBuffer(bytes) ? bytes.toString('latin1') : bytes;
      if (text.startsWith('421')) {
        socket.end();
        return false;
      }
      return custom === undefined || /^[23]/.test(text);
    };
    const command = (line: string) => {
      const verb = line.slice(0, 4).toUpperCase();
      const address = /<([^>]*)>/.exec(line)?.[1] ?? '';
      switch (verb) {
        case 'EHLO':
        case 'HELO':
          answer('ehlo', line.slice(5));
          return;
        case 'MAIL':
          if (answer('mail', address)) envelope.mailFrom = address;
          return;
        case 'RCPT':
          if (answer('rcpt', address)) envelope.rcptTo.push(address);
          return;
        case 'DATA':
          if (answer('data', '')) inData = true;
          return;
        case 'RSET':
          envelope = { mailFrom: '', rcptTo: [], data: '' };
          socket.write('250 2.0.0 Ok\r\n');
          return;
        case 'QUIT':
          socket.end('221 2.0.0 Bye\r\n');
          return;
        default:
          socket.write('502 5.5.2 Error: command not recognized\r\n');
      }
    };
    if (!answer('greeting', '')) return;
    socket.on('data', chunk => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          envelope.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          if (answer('end', '')) this.messages.push(envelope);
          envelope = { mailFrom: '', rcptTo: [], data: '' };
          continue;
        }
        const lineEnd = buffer.indexOf('\r\n');
        if (lineEnd < 0) return;
        const line = buffer.slice(0, lineEnd);
        buffer = buffer.slice(lineEnd + 2);
        command(line);
      }
    });
  }
}
