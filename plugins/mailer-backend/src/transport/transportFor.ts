import { DkimSigner } from '../dkim/DkimSigner';
import { GraphTransport } from '../graph/GraphTransport';
import { AddressResolver } from '../net/addressResolver';
import { accessTokenSource } from '../oauth/accessTokenSource';
import { OAuthTokens } from '../oauth/OAuthTokens';
import { SmtpConnectionPool } from '../smtp/SmtpConnectionPool';
import {
  mayLogInWithoutTls,
  SmtpServerSettings,
} from '../smtp/SmtpServerSettings';
import { MailTransport } from './MailTransport';
import { SigningTransport } from './SigningTransport';

/** How transports are built: the same for delivery and the connection test. */
export interface TransportOptions {
  maxConnections: number;
  connectionTimeoutMs: number;
  socketTimeoutMs: number;
  idleTimeoutMs: number;
  /** Resolves (and, for tenant servers, checks) the server's name. */
  resolve: AddressResolver;
  /** PEM certificates the operator trusts in addition to the public roots. */
  extraCaCertificates: readonly string[];
  /** Whether the operator lets passwords go over connections without TLS (`mailer.allowInsecureAuth`). */
  allowInsecureAuth: boolean;
  tokens: OAuthTokens;
  graphBaseUrl: string;
}

/**
 * The transport for a server: Microsoft Graph, or a pool of SMTP
 * connections that logs in with a password or with OAuth2 tokens from the
 * shared cache; DKIM-signing when the server's settings hold a key.
 * `tenantId` is undefined for the default mailbox. Throws `DkimKeyError`
 * for a key that cannot sign: nothing is sent unsigned instead.
 */
export function transportFor(
  server: SmtpServerSettings,
  tenantId: string | undefined,
  options: TransportOptions,
): MailTransport {
  if (!server.dkim) return unsignedTransportFor(server, tenantId, options);
  const signer = new DkimSigner(server.dkim);
  return new SigningTransport(
    unsignedTransportFor(server, tenantId, options),
    signer,
    options.maxConnections,
  );
}

function unsignedTransportFor(
  server: SmtpServerSettings,
  tenantId: string | undefined,
  options: TransportOptions,
): MailTransport {
  const accessToken =
    tenantId === undefined
      ? undefined
      : accessTokenSource(options.tokens, tenantId, server);
  if (server.transport === 'microsoft-graph') {
    if (!accessToken)
      throw new Error('Microsoft Graph needs OAuth2 credentials');
    return new GraphTransport(server, {
      baseUrl: options.graphBaseUrl,
      maxConcurrent: options.maxConnections,
      accessToken,
      extraCaCertificates: options.extraCaCertificates,
      timeoutMs: options.socketTimeoutMs,
    });
  }
  const extra = options.extraCaCertificates;
  return new SmtpConnectionPool(server, {
    maxConnections: options.maxConnections,
    connectionTimeoutMs: options.connectionTimeoutMs,
    greetingTimeoutMs: options.connectionTimeoutMs,
    socketTimeoutMs: options.socketTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    resolve: options.resolve,
    allowInsecureAuth: mayLogInWithoutTls(
      server.host,
      options.allowInsecureAuth,
    ),
    accessToken,
    tls: {
      minVersion: 'TLSv1.2',
      // Trusted beside the public roots (see SmtpSession).
      ...(extra.length > 0 && { ca: [...extra] }),
    },
  });
}
