// PEM as people paste it. Checked by shape here, in the browser as well as
// the backend; the backend also parses what it is given before storing it.

const BLOCK =
  /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END \1-----/g;

/** The labels of the PEM blocks in `text` (e.g. `CERTIFICATE`), or undefined if anything else is in it. */
export function pemBlockLabels(text: string): string[] | undefined {
  const labels: string[] = [];
  const rest = text.replace(BLOCK, (_block, label: string) => {
    labels.push(label);
    return '';
  });
  return rest.trim() === '' && labels.length > 0 ? labels : undefined;
}

/** True for one or more PEM certificates and nothing else. */
export function isPemCertificates(text: string): boolean {
  const labels = pemBlockLabels(text);
  return labels !== undefined && labels.every(l => l === 'CERTIFICATE');
}

/** True for exactly one PEM private key (PKCS#8, or PKCS#1 RSA). */
export function isPemPrivateKey(text: string): boolean {
  const labels = pemBlockLabels(text);
  return (
    labels !== undefined &&
    labels.length === 1 &&
    (labels[0] === 'PRIVATE KEY' || labels[0] === 'RSA PRIVATE KEY')
  );
}
