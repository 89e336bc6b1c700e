import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  ConnectionTestRequest,
  ConnectionTestResult,
  isEmailAddress,
  SmtpReply,
} from '@elixeum/plugin-mailer-common';
import MailComposer from 'nodemailer/lib/mail-composer';
import { OutboxTestMessages } from '../database/OutboxTestMessages';
import { describeError } from '../errors/describeError';
import { explainSmtpFailure } from '../smtp/classifySmtpFailure';
import { readSmtpFailure } from '../smtp/readSmtpFailure';
import { AddressResolver, systemResolver } from '../net/addressResolver';
import { withDeadline } from '../net/withDeadline';
import { OAuthTokens } from '../oauth/OAuthTokens';
import { SmtpServerSettings } from '../smtp/SmtpServerSettings';
import { MailTransport } from '../transport/MailTransport';
import { transportFor } from '../transport/transportFor';
import {
  defaultMailboxAdvice,
  successText,
  TEST_SUBJECT,
  testMessage,
} from './connectionTestText';
import { SettingsHistory } from './SettingsHistory';
import { ServerPreview, TenantSettingsService } from './TenantSettingsService';

/** How the connection test is built; the other fields have defaults for tests. */
export interface ConnectionTesterOptions {
  /**
   * Resolves (and checks against the server policy) the tenant's server:
   * required, so that no caller can forget the policy.
   */
  resolve: AddressResolver;
  allowInsecureAuth?: boolean;
  /** OAuth2 tokens, shared with delivery. */
  tokens?: OAuthTokens;
  graphBaseUrl?: string;
  /** Where each test that ran is recorded for the settings page. */
  history?: SettingsHistory;
  /**
   * The portal's default mailbox, tested while the tenant's settings are
   * incomplete (its mail goes there then). Without it such a test is refused.
   */
  defaultServer?: SmtpServerSettings;
  /** Where test emails are recorded, so the delivery view lists them. */
  testMessages?: OutboxTestMessages;
  logger?: LoggerService;
  /**
   * How long the whole test may take (token, connection, TLS, the SMTP
   * dialogue, the test message): each step's own time limit is reset by
   * every byte, so a server that drips its replies would pass them all.
   */
  deadlineMs?: number;
}

/** A person waits for the connection test: it gives up after this, whatever the server does. */
const TEST_DEADLINE_MS = 30_000;

/**
 * Tries the server a tenant's mail would go through, the way delivery will
 * use it: connect, STARTTLS or TLS, log in, and optionally send a test
 * message. That is the tenant's own server, or the default mailbox while its
 * settings are incomplete. Tests the form being edited when values are
 * given, the saved settings otherwise.
 */
export class ConnectionTester {
  constructor(
    private readonly settings: TenantSettingsService,
    private readonly extraCaCertificates: readonly string[],
    /** Each step's time limit; short, because a person is waiting. */
    private readonly timeoutMs = 10_000,
    private readonly options: ConnectionTesterOptions,
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
   * `onServer` learns which server is asked for (even if it is refused),
   * then which one is tried, e.g. for the audit record;
   * `actor` is who ran the test, for the settings history and the outbox.
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
    // The password and server policy rules are checked here, before any of it is used.
    const preview = await this.settings.previewServer(
      tenantId,
      request.values ?? {},
      options.onServer,
    );
    const target = this.targetOf(preview, tenantId);
    options.onServer?.({ host: target.server.host, port: target.server.port });
    const { result, failure, messageId } = await this.tryServer(
      target,
      request,
    );
    if (request.sendTo) {
      await this.recordTestMessage(tenantId, options.actor, request.sendTo, {
        sent: result.messageSent,
        failure,
        messageId,
      });
    }
    await this.options.history?.recordConnectionTest(
      tenantId,
      options.actor,
      target.server,
      result,
    );
    return result;
  }

  /** The tenant's own server, or the default mailbox while settings are missing. */
  private targetOf(preview: ServerPreview, tenantId: string): Target {
    if (preview.server === 'custom') {
      return {
        kind: 'custom',
        server: preview.settings,
        tenantId,
        resolve: this.options.resolve,
        allowInsecureAuth: this.options.allowInsecureAuth ?? false,
      };
    }
    const { defaultServer } = this.options;
    if (!defaultServer) {
      throw new InputError(
        `Cannot test the SMTP server: ${preview.missingKeys.join(
          ', ',
        )} not set`,
      );
    }
    // The operator's own server: the tenant server policy is not for it, as in delivery.
    return {
      kind: 'default',
      server: defaultServer,
      missingKeys: preview.missingKeys,
      resolve: systemResolver,
      allowInsecureAuth: true,
    };
  }

  private async tryServer(
    target: Target,
    request: ConnectionTestRequest,
  ): Promise<{
    result: ConnectionTestResult;
    failure?: SmtpReply;
    messageId?: string;
  }> {
    const { server } = target;
    const open = () =>
      transportFor(
        server,
        target.kind === 'custom' ? target.tenantId : undefined,
        {
          maxConnections: 1,
          connectionTimeoutMs: this.timeoutMs,
          socketTimeoutMs: this.timeoutMs,
          idleTimeoutMs: this.timeoutMs,
          resolve: target.resolve,
          extraCaCertificates: this.extraCaCertificates,
          allowInsecureAuth: target.allowInsecureAuth,
          tokens: this.options.tokens ?? this.defaultTokens(),
          graphBaseUrl:
            this.options.graphBaseUrl ?? 'https://graph.microsoft.com',
        },
      );
    let messageId: string | undefined;
    const deadlineMs = this.options.deadlineMs ?? TEST_DEADLINE_MS;
    let connection: MailTransport | undefined;
    try {
      // Inside: settings whose DKIM key cannot sign are this test's failure.
      const transport = open();
      connection = transport;
      let exchange: Promise<unknown>;
      if (request.sendTo) {
        const message = new MailComposer(
          testMessage(server, request.sendTo, target.kind),
        ).compile();
        message.keepBcc = transport.needsBccHeader;
        messageId = message.messageId();
        exchange = transport.send(
          { from: server.from, to: [request.sendTo] },
          () => message.createReadStream(),
        );
      } else {
        exchange = transport.verify();
      }
      await withDeadline(exchange, deadlineMs, () => {
        transport.destroy();
        return Object.assign(
          new Error(
            `The test of ${server.host}:${server.port} did not finish within ${deadlineMs} ms`,
          ),
          { code: 'ETIMEDOUT' },
        );
      });
      return {
        result: {
          outcome: 'success',
          message: successText(
            server,
            request.sendTo,
            target.kind === 'default' ? target.missingKeys : undefined,
          ),
          messageSent: request.sendTo !== undefined,
          server: target.kind,
        },
        messageId,
      };
    } catch (error) {
      const failure = readSmtpFailure(error, server);
      const explained = explainSmtpFailure(failure, server);
      return {
        result: {
          ...explained,
          ...(target.kind === 'default' && {
            advice: defaultMailboxAdvice(target.missingKeys),
          }),
          messageSent: false,
          server: target.kind,
        },
        failure: {
          responseCode: failure.responseCode,
          response: explained.reply?.response,
          code: failure.code,
        },
      };
    } finally {
      connection?.close();
    }
  }

  /**
   * Writes the test email to the outbox as already sent or failed, so the
   * delivery view lists it. It was sent above; no worker sends it again.
   * A failure to record it does not change the test's answer.
   */
  private async recordTestMessage(
    tenantId: string,
    actor: string | undefined,
    to: string,
    outcome: { sent: boolean; failure?: SmtpReply; messageId?: string },
  ): Promise<void> {
    try {
      await this.options.testMessages?.record({
        tenantId,
        createdBy: actor,
        subject: TEST_SUBJECT,
        to,
        outcome: outcome.sent
          ? { state: 'sent', messageId: outcome.messageId }
          : { state: 'failed', reply: outcome.failure ?? {} },
      });
    } catch (error) {
      this.options.logger?.warn(
        `Could not record the test email of tenant ${tenantId} in the outbox: ${describeError(
          error,
        )}`,
      );
    }
  }
}

/** The server a test tries, and how its name is resolved and its login allowed. */
type Target = {
  server: SmtpServerSettings;
  resolve: AddressResolver;
  allowInsecureAuth: boolean;
} & (
  | { kind: 'custom'; tenantId: string }
  | { kind: 'default'; missingKeys: string[] }
);
