import { InputError } from '@backstage/errors';
import {
  ConnectionTestRequest,
  ConnectionTestResult,
  isEmailAddress,
} from '@elixeum/plugin-mailer-common';
import { createTransport } from 'nodemailer';
import { SmtpServerSettings } from '../config';
import { classifySmtpFailure } from '../delivery/classifySmtpFailure';
import { toTransportOptions } from '../delivery/transportOptions';
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
  ) {}

  async test(
    tenantId: string,
    request: ConnectionTestRequest,
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
    const transport = createTransport({
      ...toTransportOptions(server, this.extraCaCertificates),
      connectionTimeout: this.timeoutMs,
      greetingTimeout: this.timeoutMs,
      socketTimeout: this.timeoutMs,
      dnsTimeout: this.timeoutMs,
    });
    try {
      await transport.verify();
      if (request.sendTo) {
        await transport.sendMail(testMessage(server, request.sendTo));
      }
      return {
        outcome: 'success',
        message: request.sendTo
          ? `${server.host}:${server.port} accepted a test message to ${request.sendTo}.`
          : `Connected to ${server.host}:${server.port} and logged in as ${server.auth?.user}.`,
        messageSent: request.sendTo !== undefined,
      };
    } catch (error) {
      return { ...classifySmtpFailure(error, server), messageSent: false };
    } finally {
      transport.close();
    }
  }
}

function testMessage(server: SmtpServerSettings, to: string) {
  return {
    from: server.from,
    to,
    subject: 'Test message from your portal',
    text:
      `This is a test message from the portal's notification settings.\n\n` +
      `Mail for your organisation will be sent through ${server.host}:${server.port} as ${server.from}.\n`,
  };
}
