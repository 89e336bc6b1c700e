import { TlsProblem } from '@elixeum/plugin-mailer-common';

/** What went wrong with TLS, in a sentence, and the way out. */
export interface TlsFailure {
  problem?: TlsProblem;
  message: string;
  advice: string;
}

const TRUST_THE_AUTHORITY =
  "If the server uses a certificate from your own (private) authority, paste that authority's certificate (PEM) into SMTP.TLS.CA, " +
  'or ask your portal operator to trust it for every tenant in mailer.tls.extraCaCertificates. ' +
  'A public server (Office 365, Gmail) never needs this: check that SMTP.Server is its real name.';

// Node's TLS errors reach us inside nodemailer's messages ("Error initiating
// TLS - self-signed certificate"), so they are recognised by their text.
const RULES: Array<
  { pattern: RegExp } & Required<Omit<TlsFailure, 'message'>> & {
      message: (where: string) => string;
    }
> = [
  {
    pattern:
      /self[- ]signed|unable to verify|unable to get (local )?issuer|certificate chain|UNABLE_TO_VERIFY|DEPTH_ZERO/i,
    problem: 'untrusted-certificate',
    message: where =>
      `The certificate of ${where} is not signed by an authority the portal trusts.`,
    advice: TRUST_THE_AUTHORITY,
  },
  {
    pattern:
      /does not match certificate|altnames|ERR_TLS_CERT_ALTNAME_INVALID/i,
    problem: 'name-mismatch',
    message: where =>
      `The certificate of ${where} was issued for another name.`,
    advice:
      'Set SMTP.Server to the name on the certificate (e.g. smtp.office365.com), not an IP address or an alias.',
  },
  {
    pattern: /certificate has expired|CERT_HAS_EXPIRED/i,
    problem: 'expired-certificate',
    message: where => `The certificate of ${where} has expired.`,
    advice:
      "The server's administrator must renew its certificate; the portal does not send mail over a connection it cannot verify.",
  },
  {
    pattern: /wrong version number|packet length too long|http request/i,
    problem: 'wrong-security-mode',
    message: where =>
      `${where} does not speak the kind of TLS SMTP.Security asks for.`,
    advice:
      'SMTP.Security must fit the port: starttls for 587 (and 25), tls for 465.',
  },
  {
    pattern: /unsupported protocol|protocol version|no protocols available/i,
    problem: 'old-protocol',
    message: where => `${where} offers only an outdated TLS version.`,
    advice:
      "The portal needs TLS 1.2 or newer; the server's administrator must enable it.",
  },
];

/** Recognises a TLS failure in an error text; undefined when it is not one. */
export function readTlsFailure(
  text: string,
  code: string | undefined,
  where: string,
): TlsFailure | undefined {
  const rule = RULES.find(r => r.pattern.test(text));
  if (rule) {
    return {
      problem: rule.problem,
      message: rule.message(where),
      advice: rule.advice,
    };
  }
  if (code === 'ETLS' || /\b(SSL|TLS)\b/.test(text)) {
    return {
      message: `The secure connection to ${where} failed.`,
      advice:
        'Check that SMTP.Security fits the port (starttls for 587, tls for 465) and that the server has a valid certificate.',
    };
  }
  return undefined;
}
