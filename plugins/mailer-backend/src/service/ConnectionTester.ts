import { InputError } from '@backstage/errors';
import {
  ConnectionTestRequest,
  ConnectionTestResult,
  isEmailAddress,
} from '@elixeum/plugin-mailer-common';
import MailComposer from 'nodemailer/lib/mail-composer';
import { classifySmtpFailure } from '../smtp/classifySmtpFailure';
import { AddressResolver, systemResolver } from '../net/addressResolver';
import { OAuthTokens } from '../oauth/OAuthTokens';
import { SmtpServerSettings } from '../smtp/SmtpServerSettings';
import { transportFor } from '../transport/transportFor';
import { SettingsHistory } from './SettingsHistory';
import { TenantSettingsService } from './TenantSettingsService';

/**
 * Tries a tenant's SMTP settings the way delivery will use them: connect,
 * STARTTLS or TLS, log in, and optionally send a test message. Tests the
 * form being edited when values are given, the saved settings otherwise.
 */
export class ConnectionTester {
  constructor(
    private readonly settings: TenantSettingsService,
    private readonly extraCaCertificates: readonly string[],
    /** Each step's time limit; short, because a person is waiting. */
    private readonly timeoutMs = 10_000,
    private readonly options: {
      resolve?: AddressResolver;
      allowInsecureAuth?: boolean;
      /** OAuth2 tokens, shared with delivery. */
      tokens?: OAuthTokens;
      graphBaseUrl?: string;
      /** Where each test that ran is recorded for the settings page. */
      history?: SettingsHistory;
    } = {},
  ) {}

  private tokens?: OAuthTokens;

  /** Tokens from the public endpoints, when none were given (tests of password logins). */
  private defaultTokens(): OAuthTokens {
    this.tokens ??= new OAuthTokens({
      microsoftAuthority: 'https://login.microsoftonline.com',
      googleTokenUrl: 'https://oauth2.googleapis.com/token',
      extraCaCertificates: this.extraCaCertificates,
      timeoutMs: this.timeoutMs,
    });
    return this.tokens;
  }

  /**
   * `onServer` learns which server is tried, e.g. for the audit record;
   * `actor` is who ran the test, for the settings history.
   */
  async test(
    tenantId: string,
    request: ConnectionTestRequest,
    options: {
      onServer?: (server: { host: string; port: number }) => void;
      actor?: string;
    } = {},
  ): Promise<ConnectionTestResult> {
    if (request.sendTo !== undefined && !isEmailAddress(request.sendTo)) {
      throw new InputError(
        'sendTo must be a mail address such as you@example.com',
      );
    }
    const server = await this.settings.previewCustomServer(
      tenantId,
      request.values ?? {},
    );
    options.onServer?.({ host: server.host, port: server.port });
    const result = await this.tryServer(server, tenantId, request);
    await this.options.history?.recordConnectionTest(
      tenantId,
      options.actor,
      server,
      result,
    );
    return result;
  }

  private async tryServer(
    server: SmtpServerSettings,
    tenantId: string,
    request: ConnectionTestRequest,
  ): Promise<ConnectionTestResult> {
    const connection = transportFor(server, tenantId, {
      maxConnections: 1,
      connectionTimeoutMs: this.timeoutMs,
      socketTimeoutMs: this.timeoutMs,
      idleTimeoutMs: this.timeoutMs,
      resolve: this.options.resolve ?? systemResolver,
      extraCaCertificates: this.extraCaCertificates,
      allowInsecureAuth: this.options.allowInsecureAuth ?? false,
      tokens: this.options.tokens ?? this.defaultTokens(),
      graphBaseUrl: this.options.graphBaseUrl ?? 'https://graph.microsoft.com',
    });
    try {
      if (request.sendTo) {
        const message = new MailComposer(
          testMessage(server, request.sendTo),
        ).compile();
        message.keepBcc = connection.needsBccHeader;
        await connection.send({ from: server.from, to: [request.sendTo] }, () =>
          message.createReadStream(),
        );
      } else {
        await connection.verify();
      }
      return {
        outcome: 'success',
        message: request.sendTo
          ? `${server.host}:${server.port} accepted a test message to ${request.sendTo}.`
          : connectedText(server),
        messageSent: request.sendTo !== undefined,
      };
    } catch (error) {
      return { ...classifySmtpFailure(error, server), messageSent: false };
    } finally {
      connection.close();
    }
  }
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

function testMessage(server: SmtpServerSettings, to: string) {
  return {
    from: server.fromName
      ? { name: server.fromName, address: server.from }
      : server.from,
    to,
    subject: 'Test message from your portal',
    text:
      `This is a test message from the portal's notification settings.\n\n` +
      `Mail for your organisation will be sent through ${
        server.transport === 'microsoft-graph'
          ? 'Microsoft Graph'
          : `${server.host}:${server.port}`
      } as ${server.from}.\n`,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
