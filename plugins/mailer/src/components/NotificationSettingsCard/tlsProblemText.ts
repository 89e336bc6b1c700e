import { TlsProblem } from '@elixeum/plugin-mailer-common';

/** Why a secure connection failed, in words, by the backend's classification. */
export const tlsProblemText: Record<TlsProblem, string> = {
  'untrusted-certificate':
    "the server's certificate is not signed by an authority the portal trusts (or it signed itself).",
  'name-mismatch':
    "the server's certificate was issued for another name than the one in SMTP.Server.",
  'expired-certificate': "the server's certificate has expired.",
  'wrong-security-mode':
    'the server expects another kind of TLS than SMTP.Security asks for (TLS from the start on 465, STARTTLS on 587).',
  'old-protocol':
    'the server only offers a TLS version older than 1.2, which the portal does not use.',
};
