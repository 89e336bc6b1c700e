import {
  createSelfSignedCertificate,
  DnsTestServer,
  OAuthTestEndpoint,
  SmtpTestServer,
} from '@internal/smtp-test-server';
import { randomBytes } from 'node:crypto';

/** The domain of the default mailbox's sender: it has SPF, but no DMARC record. */
export const DEFAULT_MAILBOX_DOMAIN = 'elixeum.cloud';
/** The tenant's mailbox on its own servers, for a password or an OAuth2 login. */
export const TENANT_MAILBOX = 'mailer@tenant.example';
/** A password the tenant's server answers as Office 365 does with SMTP AUTH off. */
export const SMTP_AUTH_OFF_PASSWORD = 'office365-smtp-auth-off';
/** The app registration the portal's OAuth2 login uses (Microsoft, client credentials). */
export const MICROSOFT_APP = {
  tenantId: 'contoso-tenant',
  clientId: 'portal-app',
  clientSecret: randomBytes(12).toString('base64url'),
};

/**
 * The servers of the browser test, all on loopback:
 * - `defaultMailbox`: the operator's default mailbox, plain SMTP;
 * - `tenant`: the tenant's own server, with a login and no TLS, a little
 *   slow (so a mailing's progress can be watched), and answering
 *   `535 5.7.139` to one password, as Office 365 does with SMTP AUTH off;
 * - `untrusted`: a STARTTLS server whose self-signed certificate nobody trusts;
 * - `oauth` and `xoauth2`: a Microsoft-like token endpoint and an SMTP server
 *   that takes only the tokens it issued;
 * - `dns`: the DNS the sender check reads, where the default mailbox's
 *   domain has SPF but no DMARC record.
 */
export class E2eServers {
  private constructor(
    /** The tenant's password on `tenant` and `untrusted`. */
    readonly tenantPassword: string,
    readonly defaultMailbox: SmtpTestServer,
    readonly tenant: SmtpTestServer,
    readonly untrusted: SmtpTestServer,
    readonly oauth: OAuthTestEndpoint,
    readonly xoauth2: SmtpTestServer,
    readonly dns: DnsTestServer,
  ) {}

  static async start(): Promise<E2eServers> {
    const started: Array<{ close(): Promise<void> }> = [];
    const track = async <T extends { close(): Promise<void> }>(
      server: Promise<T>,
    ) => {
      const s = await server;
      started.push(s);
      return s;
    };
    try {
      const tenantPassword = randomBytes(12).toString('base64url');
      const defaultMailbox = await track(
        SmtpTestServer.start({ host: '127.0.0.1' }),
      );
      const tenant = await track(
        SmtpTestServer.start({
          host: '127.0.0.1',
          users: { [TENANT_MAILBOX]: tenantPassword },
          replyDelayMs: 400,
          replies: {
            auth: attempt =>
              attempt.password === SMTP_AUTH_OFF_PASSWORD
                ? {
                    code: 535,
                    message:
                      '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.',
                  }
                : undefined,
          },
        }),
      );
      const untrusted = await track(
        SmtpTestServer.start({
          host: '127.0.0.1',
          users: { [TENANT_MAILBOX]: tenantPassword },
          certificate: createSelfSignedCertificate(),
          requireTlsForAuth: true,
        }),
      );
      const oauth = await track(
        OAuthTestEndpoint.start({ microsoft: MICROSOFT_APP }),
      );
      const xoauth2 = await track(
        SmtpTestServer.start({
          host: '127.0.0.1',
          acceptAccessToken: (user, token) =>
            user === TENANT_MAILBOX && oauth.isValid(token),
        }),
      );
      const dns = await track(
        DnsTestServer.start({
          [DEFAULT_MAILBOX_DOMAIN]: {
            TXT: ['v=spf1 ip4:198.51.100.25 -all'],
          },
        }),
      );
      return new E2eServers(
        tenantPassword,
        defaultMailbox,
        tenant,
        untrusted,
        oauth,
        xoauth2,
        dns,
      );
    } catch (error) {
      await Promise.allSettled(started.map(s => s.close()));
      throw error;
    }
  }

  /** The portal's config for these servers, on top of app-config.yaml. */
  portalConfig(): object {
    return {
      mailer: {
        default: {
          host: '127.0.0.1',
          port: this.defaultMailbox.port,
          security: 'none',
          from: `no-reply@${DEFAULT_MAILBOX_DOMAIN}`,
        },
        // The sender check reads this test's DNS, never the machine's.
        senderCheck: { dnsServers: [this.dns.address], timeout: '2s' },
        // Tenant servers may not be on loopback unless the operator says so.
        serverPolicy: {
          allowedHosts: [{ host: '127.0.0.1', ports: 'any' }],
        },
        oauth: { microsoft: { authority: this.oauth.baseUrl } },
      },
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled(
      [
        this.defaultMailbox,
        this.tenant,
        this.untrusted,
        this.oauth,
        this.xoauth2,
        this.dns,
      ].map(s => s.close()),
    );
  }
}
