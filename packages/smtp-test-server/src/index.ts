/**
 * A real SMTP server on loopback for tests, the example portal's mail catcher
 * and the benchmark.
 *
 * @packageDocumentation
 */

export * from './SmtpTestServer';
export * from './selfSignedCertificate';
export * from './silentServer';
export * from './OAuthTestEndpoint';
export * from './HostileSmtpServer';
export * from './DnsTestServer';
