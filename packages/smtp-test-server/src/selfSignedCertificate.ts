import forge from 'node-forge';

/** A certificate and its key, in PEM. */
export interface PemCertificate {
  cert: string;
  key: string;
}

/** What the certificate is for, and when it is valid. */
export interface CertificateOptions {
  /** Host names it names; default `localhost`. */
  names?: string[];
  /** IP addresses it names; default `127.0.0.1`. */
  ips?: string[];
  /** Already expired: valid from ten days ago until yesterday. */
  expired?: boolean;
  /** Whether it may sign other certificates (basicConstraints cA); default true. */
  authority?: boolean;
}

const DAY = 86_400_000;

/**
 * A throw-away self-signed certificate (for 127.0.0.1 and localhost unless
 * told otherwise), so a test server can offer TLS and clients can trust
 * exactly this certificate.
 */
export function createSelfSignedCertificate(
  options: CertificateOptions = {},
): PemCertificate {
  const names = options.names ?? ['localhost'];
  const ips = options.ips ?? ['127.0.0.1'];
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = forge.util
    .bytesToHex(forge.random.getBytesSync(9))
    .replace(/^[89a-f]/, '1');
  const now = Date.now();
  cert.validity.notBefore = new Date(
    options.expired ? now - 10 * DAY : now - DAY,
  );
  cert.validity.notAfter = new Date(
    options.expired ? now - DAY : now + 2 * DAY,
  );
  const subject = [{ name: 'commonName', value: names[0] ?? ips[0] }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: options.authority ?? true },
    {
      name: 'subjectAltName',
      altNames: [
        ...names.map(value => ({ type: 2, value })),
        ...ips.map(ip => ({ type: 7, ip })),
      ],
    },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return {
    cert: forge.pki.certificateToPem(cert),
    key: forge.pki.privateKeyToPem(keys.privateKey),
  };
}
