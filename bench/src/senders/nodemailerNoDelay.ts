import { connect, Socket } from 'node:net';
import { Sender, SmtpTarget } from './types';
import { sendThroughNodemailer } from './sendThroughNodemailer';

const CONNECT_TIMEOUT_MS = 10_000;

/** A TCP connection to `target` with Nagle's algorithm off (TCP_NODELAY). */
function connectWithoutNagle(target: SmtpTarget): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port });
    // Set before connecting; Node applies it as soon as the socket exists.
    socket.setNoDelay(true);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`Connecting took over ${CONNECT_TIMEOUT_MS} ms`)),
      CONNECT_TIMEOUT_MS,
    );
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

/**
 * Baseline 2: the same pool, on sockets with TCP_NODELAY. Without it, each
 * message's final `.` line waits for the server's delayed ACK (Nagle), about
 * 40 ms. The option stays on the TCP connection underneath TLS.
 */
export const nodemailerNoDelay: Sender = (target, messages) =>
  sendThroughNodemailer(target, messages, { connect: connectWithoutNagle });

/**
 * Baseline 3: TCP_NODELAY and connections kept for the whole run, as the
 * mailer's own pools do: the fairest comparison for the durable path.
 */
export const nodemailerNoDelayKeptConnections: Sender = (target, messages) =>
  sendThroughNodemailer(target, messages, {
    connect: connectWithoutNagle,
    keepConnections: true,
  });
