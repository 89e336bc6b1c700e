import { SmtpServerSettings } from '../smtp/SmtpServerSettings';

// What the connection test says, and the test email it sends.

/** The subject of every test email, also as the delivery view lists it. */
export const TEST_SUBJECT = 'Test message from your portal';

/**
 * Says what worked. With `missingKeys` it was the default mailbox, and
 * says why: the operator's host is not named, the tenant needs no more.
 */
export function successText(
  server: SmtpServerSettings,
  sendTo: string | undefined,
  missingKeys?: string[],
): string {
  if (missingKeys) {
    const why = `your settings are incomplete (${missingKeys.join(
      ', ',
    )} not set), so your mail goes through the portal's default mailbox`;
    return sendTo
      ? `The portal's default mailbox accepted a test message to ${sendTo}: ${why}.`
      : `Connected to the portal's default mailbox: ${why}.`;
  }
  return sendTo
    ? `${server.host}:${server.port} accepted a test message to ${sendTo}.`
    : connectedText(server);
}

/** The default mailbox is the operator's: the tenant can only tell them, or use its own server. */
export function defaultMailboxAdvice(missingKeys: string[]): string {
  return (
    "This is the portal's default mailbox, which your portal operator runs (mailer.default in app-config): tell them. " +
    `To send through your own server instead, set ${missingKeys.join(', ')}.`
  );
}

/** What a successful check (nothing sent) did. */
function connectedText(server: SmtpServerSettings): string {
  if (server.transport === 'microsoft-graph') {
    return `Microsoft issued a token for the app; mail will be sent through Microsoft Graph as ${server.auth?.user}.`;
  }
  const where = `${server.host}:${server.port}`;
  return server.auth
    ? `Connected to ${where} and logged in as ${server.auth.user}.`
    : `Connected to ${where}; it takes mail without a login.`;
}

/** The test email, saying which server the tenant's mail goes through. */
export function testMessage(
  server: SmtpServerSettings,
  to: string,
  kind: 'custom' | 'default',
) {
  let through = `${server.host}:${server.port}`;
  if (kind === 'default') through = "the portal's default mailbox";
  else if (server.transport === 'microsoft-graph') through = 'Microsoft Graph';
  return {
    from: server.fromName
      ? { name: server.fromName, address: server.from }
      : server.from,
    to,
    subject: TEST_SUBJECT,
    text:
      `This is a test message from the portal's notification settings.\n\n` +
      `Mail for your organisation will be sent through ${through} as ${server.from}.\n`,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
