import { Socket } from 'node:net';
import { createTransport } from 'nodemailer';
import { BenchMessage } from '../messages';
import { SmtpTarget } from './types';

/** What the two nodemailer senders differ in. */
export interface NodemailerVariant {
  /**
   * Open the TCP connection ourselves (nodemailer's `getSocket` option).
   * Nodemailer's pool only uses a socket given as `{ connection }`, already
   * connected; a `{ socket }` for it to connect is silently ignored there.
   * It then speaks SMTP on it and upgrades it with STARTTLS.
   */
  connect?: (target: SmtpTarget) => Promise<Socket>;
  /**
   * Keep each connection for the whole run. nodemailer's default (100
   * messages) reconnects, with a TLS handshake and a login, every 100.
   */
  keepConnections?: boolean;
}

/**
 * Hands every message to one pooled nodemailer transport (5 connections,
 * STARTTLS required, AUTH) at once and waits until each was accepted.
 */
export async function sendThroughNodemailer(
  target: SmtpTarget,
  messages: BenchMessage[],
  variant: NodemailerVariant = {},
): Promise<void> {
  const { connect, keepConnections } = variant;
  const transport = createTransport({
    pool: true,
    maxConnections: 5,
    ...(keepConnections && { maxMessages: Infinity }),
    host: target.host,
    port: target.port,
    secure: false,
    requireTLS: true,
    auth: { user: target.user, pass: target.pass },
    tls: { ca: target.ca },
    ...(connect && {
      getSocket: (
        _options: unknown,
        callback: (
          error: Error | null,
          socketOptions?: { connection: Socket },
        ) => void,
      ) => {
        connect(target).then(
          connection => callback(null, { connection }),
          error => callback(error),
        );
      },
    }),
  });
  try {
    const outcomes = await Promise.allSettled(
      messages.map(message =>
        transport.sendMail({
          from: message.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          messageId: message.messageId,
          headers: message.headers,
        }),
      ),
    );
    const refused = outcomes.filter(
      (outcome): outcome is PromiseRejectedResult =>
        outcome.status === 'rejected',
    );
    if (refused.length > 0) {
      throw new Error(
        `${refused.length} of ${messages.length} messages failed, the first with: ${refused[0].reason}`,
      );
    }
  } finally {
    transport.close();
  }
}
