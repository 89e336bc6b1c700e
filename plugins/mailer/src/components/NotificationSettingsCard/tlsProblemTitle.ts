import { TlsProblem } from '@elixeum/plugin-mailer-common';

/** Why a secure connection failed, in a few words, by the backend's classification. */
export const tlsProblemTitle: Record<TlsProblem, string> = {
  'untrusted-certificate': 'Certificate not trusted',
  'name-mismatch': 'Certificate issued for another name',
  'expired-certificate': 'Certificate expired',
  'wrong-security-mode': 'Connection security does not fit the port',
  'old-protocol': 'Outdated TLS version',
};
