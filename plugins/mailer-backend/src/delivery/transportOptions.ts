import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { rootCertificates } from 'node:tls';
import { SmtpServerSettings } from '../config';

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
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
