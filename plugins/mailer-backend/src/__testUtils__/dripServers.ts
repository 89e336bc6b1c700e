import { AddressInfo, createServer, Server, Socket } from 'node:net';

/** How often a drip server writes its next byte: never idle long enough for a socket timeout. */
export const DRIP_INTERVAL_MS = 200;

/** A loopback server that answers one byte at a time, forever. */
export interface DripServer {
  host: string;
  port: number;
  /** e.g. http://127.0.0.1:1234 */
  url: string;
  /** How many connections it took. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * Starts a TCP server that writes `greeting` when a client connects; then,
 * once the client sent something (at once, with `dripAtOnce`), writes
 * `prefix` whole and `drip` one byte every 200 ms, over and over, until
 * the client goes.
 */
async function startDripServer(options: {
  greeting?: string;
  prefix?: string;
  drip: string;
  dripAtOnce?: boolean;
}): Promise<DripServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer(socket => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    let timer: NodeJS.Timeout | undefined;
    const start = () => {
      if (timer) return;
      if (options.prefix) socket.write(options.prefix);
      let next = 0;
      timer = setInterval(() => {
        socket.write(options.drip[next % options.drip.length]);
        next += 1;
      }, DRIP_INTERVAL_MS);
    };
    socket.on('close', () => {
      clearInterval(timer);
      sockets.delete(socket);
    });
    if (options.greeting) socket.write(options.greeting);
    if (options.dripAtOnce) start();
    else socket.once('data', start);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>(resolve => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * An HTTP endpoint that drips: its headers (`headers`), or, after whole
 * headers of a 200 answer, its body (`body`).
 */
export function startDripHttpServer(
  part: 'headers' | 'body',
): Promise<DripServer> {
  return part === 'headers'
    ? startDripServer({ drip: 'HTTP/1.1 200 OK\r\nX-Drip: a\r\nX-Drip: b\r\n' })
    : startDripServer({
        prefix:
          'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
        // Chunks of one byte each, dripped: `1\r\n \r\n`, ...
        drip: '1\r\n \r\n',
      });
}

/**
 * An SMTP server that drips: its greeting, as an endless multi-line 220
 * (`greeting`); or, after a whole greeting, its answer to EHLO as an
 * endless multi-line 250 (`ehlo`).
 */
export function startDripSmtpServer(
  part: 'greeting' | 'ehlo',
): Promise<DripServer> {
  return part === 'greeting'
    ? startDripServer({ drip: '220-drip.test\r\n', dripAtOnce: true })
    : startDripServer({
        greeting: '220 drip.test ESMTP\r\n',
        drip: '250-drip.test\r\n',
      });
}

/** How late a loaded two-core machine may notice a deadline. */
export const DEADLINE_MARGIN_MS = 2000;

/** How long `work` took to settle (ms), and its value or error. */
export async function timed<T>(work: () => Promise<T>) {
  const start = Date.now();
  const outcome = await work().then(
    value => ({ value, error: undefined }),
    (error: Error & { code?: string }) => ({ value: undefined, error }),
  );
  return { ms: Date.now() - start, ...outcome };
}
