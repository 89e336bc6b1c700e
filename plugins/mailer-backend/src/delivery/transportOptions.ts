import { connect, Socket } from 'node:net';
import { rootCertificates } from 'node:tls';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { SmtpServerSettings } from '../config';

/**
 * Opens the TCP connection for nodemailer with Nagle's algorithm off. Without
 * it every message's final "." waits for the server's delayed ACK (about
 * 40 ms), which caps a connection at roughly 25 messages a second.
 * nodemailer then runs STARTTLS or TLS over this socket as usual.
 */
function connectWithoutNagle(
  options: SMTPTransport.Options,
  callback: (err: Error | null, socketOptions?: { connection: Socket }) => void,
): void {
  const socket = connect(Number(options.port), options.host);
  socket.setNoDelay(true);
  const fail = (error: Error) => {
    socket.destroy();
    callback(error);
  };
  socket.setTimeout(options.connectionTimeout ?? 15_000, () =>
    fail(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' })),
  );
  socket.once('error', fail);
  socket.once('connect', () => {
    socket.setTimeout(0);
    socket.off('error', fail);
    callback(null, { connection: socket });
  });
}

/** nodemailer options for one server. Never lets a message read files or URLs. */
export function toTransportOptions(
  server: SmtpServerSettings,
  extraCaCertificates: readonly string[],
): SMTPTransport.Options {
  return {
    host: server.host,
    port: server.port,
    secure: server.security === 'tls',
    requireTLS: server.security === 'starttls',
    ignoreTLS: server.security === 'none',
    auth: server.auth,
    tls: {
      minVersion: 'TLSv1.2',
      // `ca` replaces Node's roots, so the public roots are kept beside the extra ones.
      ...(extraCaCertificates.length > 0 && {
        ca: [...rootCertificates, ...extraCaCertificates],
      }),
    },
    getSocket: connectWithoutNagle,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
