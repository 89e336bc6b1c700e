import { connect, Socket } from 'node:net';
import { AddressResolver, ResolvedAddress } from '../net/addressResolver';

export type { AddressResolver } from '../net/addressResolver';
export { systemResolver } from '../net/addressResolver';

function withCode(error: Error, code: string): Error {
  return Object.assign(error, { code });
}

function resolveWithin(
  resolve: AddressResolver,
  host: string,
  port: number,
  timeoutMs: number,
): Promise<ResolvedAddress> {
  return new Promise((done, fail) => {
    const timer = setTimeout(
      () => fail(withCode(new Error(`Resolving ${host} timed out`), 'EDNS')),
      timeoutMs,
    );
    resolve(host, port).then(
      address => {
        clearTimeout(timer);
        done(address);
      },
      (error: Error & { code?: string }) => {
        clearTimeout(timer);
        // Policy refusals keep their own code; everything else is a DNS failure.
        fail(error.code === 'EPOLICY' ? error : withCode(error, 'EDNS'));
      },
    );
  });
}

/**
 * Opens the TCP connection to an SMTP server, with Nagle's algorithm off.
 * Without it every message's final "." waits for the server's delayed ACK
 * (about 40 ms), which caps a connection at roughly 25 messages a second.
 * Resolving and connecting share `timeoutMs`. The caller (nodemailer's
 * SMTPConnection) runs the SMTP dialogue, STARTTLS or TLS over it, and
 * owns the socket's timeouts from then on.
 */
export async function openSmtpSocket(
  target: { host: string; port: number },
  options: { resolve: AddressResolver; timeoutMs: number },
): Promise<Socket> {
  const deadline = Date.now() + options.timeoutMs;
  const { address, family } = await resolveWithin(
    options.resolve,
    target.host,
    target.port,
    options.timeoutMs,
  );
  // Nothing is sent before the connection stands, so the socket's idle
  // timeout is a connect timeout: what is left of the deadline.
  const connectTimeoutMs = Math.max(1, deadline - Date.now());
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port: target.port, family });
    socket.setNoDelay(true);
    // Every listener added here is removed again: a timeout callback left on
    // the socket would fire later, while the connection idles in a pool, and
    // report the same connection as failed a second time.
    function cleanUp() {
      socket.setTimeout(0);
      socket.off('timeout', onTimeout);
      socket.off('error', onError);
      socket.off('connect', onConnect);
    }
    function onTimeout() {
      cleanUp();
      socket.destroy();
      reject(withCode(new Error('Connection timeout'), 'ETIMEDOUT'));
    }
    function onError(error: Error) {
      cleanUp();
      socket.destroy();
      // Keeps the system's code (ECONNREFUSED, EHOSTUNREACH, …): it says what happened.
      reject(error);
    }
    function onConnect() {
      cleanUp();
      resolve(socket);
    }
    // Until SMTPConnection attaches its own listener (on the next tick), an
    // error must not become an uncaught exception; it then sees the socket
    // closed and reports it.
    socket.on('error', ignoreLateError);
    socket.setTimeout(connectTimeoutMs);
    socket.once('timeout', onTimeout);
    socket.once('error', onError);
    socket.once('connect', onConnect);
  });
}

function ignoreLateError(): void {}
