import {
  SettingProblem,
  SettingsChange,
  SMTP_KEYS,
} from '@elixeum/plugin-mailer-common';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { checkDkimKey, DkimKeyError } from '../dkim/dkimKey';

const CERTIFICATE_BLOCK =
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function certificateProblem(bundle: string): string | undefined {
  const certificates = bundle.match(CERTIFICATE_BLOCK) ?? [];
  for (const [index, pem] of certificates.entries()) {
    try {
      const certificate = new X509Certificate(pem);
      if (!certificate.ca) {
        return `holds a certificate that is not a certificate authority (number ${index + 1}, ${certificate.subject.replace(/\n/g, ', ')})`;
      }
    } catch {
      return `holds a certificate that cannot be read (number ${index + 1})`;
    }
  }
  return undefined;
}

function privateKeyProblem(pem: string): string | undefined {
  try {
    const key = createPrivateKey(pem);
    // Google signs service-account assertions with RS256 only.
    return key.asymmetricKeyType === 'rsa'
      ? undefined
      : `must be an RSA private key, not ${key.asymmetricKeyType}`;
  } catch {
    // The parser's own message could quote the key: say nothing more.
    return 'is not a private key that can be read';
  }
}

function dkimKeyProblem(pem: string): string | undefined {
  try {
    checkDkimKey(pem);
    return undefined;
  } catch (error) {
    return error instanceof DkimKeyError ? error.problem : 'cannot sign';
  }
}

/**
 * What the browser cannot check: a CA bundle whose certificates parse and
 * are authorities, and private keys that parse and can sign (a DKIM key:
 * RSA of at least 1024 bits). The shape
 * (PEM blocks) is checked by the shared validation before this runs.
 */
export function findKeyMaterialProblems(
  change: SettingsChange,
): SettingProblem[] {
  const problems: SettingProblem[] = [];
  const ca = change[SMTP_KEYS.tlsCa];
  if (typeof ca === 'string' && ca !== '') {
    const message = certificateProblem(ca);
    if (message) problems.push({ key: SMTP_KEYS.tlsCa, message });
  }
  const key = change[SMTP_KEYS.oauthPrivateKey];
  if (typeof key === 'string' && key !== '') {
    const message = privateKeyProblem(key);
    if (message) problems.push({ key: SMTP_KEYS.oauthPrivateKey, message });
  }
  const dkimKey = change[SMTP_KEYS.dkimPrivateKey];
  if (typeof dkimKey === 'string' && dkimKey !== '') {
    const message = dkimKeyProblem(dkimKey);
    if (message) problems.push({ key: SMTP_KEYS.dkimPrivateKey, message });
  }
  return problems;
}
