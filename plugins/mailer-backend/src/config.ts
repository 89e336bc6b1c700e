import { Config } from '@backstage/config';
import { isEmailAddress } from '@elixeum/plugin-mailer-common';

/** How a connection to an SMTP server is protected. */
export type SmtpSecurity = 'starttls' | 'tls' | 'none';

/** Everything needed to connect to one SMTP server and send as one sender. */
export interface SmtpServerSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  auth?: { user: string; pass: string };
  from: string;
}

/** The mailer's part of app-config, read once at start-up. */
export interface MailerConfig {
  defaultServer: SmtpServerSettings;
  tenantId: string;
  extraCaCertificates: string[];
}

const SECURITY_VALUES: readonly SmtpSecurity[] = ['starttls', 'tls', 'none'];

/** The security a server uses when none is chosen: implicit TLS on 465, STARTTLS elsewhere. */
export function defaultSecurityForPort(port: number): SmtpSecurity {
  return port === 465 ? 'tls' : 'starttls';
}

/** Reads and checks `mailer.*`; a mistake stops start-up with a message naming the key. */
export function readMailerConfig(config: Config): MailerConfig {
  const server = config.getConfig('mailer.default');
  const port = server.getOptionalNumber('port') ?? 587;
  const security =
    server.getOptionalString('security') ?? defaultSecurityForPort(port);
  if (!SECURITY_VALUES.includes(security as SmtpSecurity)) {
    throw new Error(
      `mailer.default.security must be one of ${SECURITY_VALUES.join(', ')}`,
    );
  }
  const from = server.getString('from');
  if (!isEmailAddress(from)) {
    throw new Error(
      'mailer.default.from must be a mail address such as no-reply@example.com',
    );
  }
  const auth = server.getOptionalConfig('auth');
  return {
    defaultServer: {
      host: server.getString('host'),
      port,
      security: security as SmtpSecurity,
      auth: auth
        ? { user: auth.getString('user'), pass: auth.getString('pass') }
        : undefined,
      from,
    },
    tenantId: config.getOptionalString('mailer.tenant.id') ?? 'default',
    extraCaCertificates:
      config.getOptionalStringArray('mailer.tls.extraCaCertificates') ?? [],
  };
}
