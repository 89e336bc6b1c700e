import { generate } from 'selfsigned';

/** A certificate and its key, in PEM. */
export interface PemCertificate {
  cert: string;
  key: string;
}

/**
 * A throw-away certificate for 127.0.0.1 and localhost, so a test server can
 * offer STARTTLS and clients can trust exactly this certificate.
 */
export function createSelfSignedCertificate(): PemCertificate {
  const pems = generate([{ name: 'commonName', value: 'localhost' }], {
    days: 2,
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
