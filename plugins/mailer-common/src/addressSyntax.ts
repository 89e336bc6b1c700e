// Syntax checks for host names and mail addresses. They run in the browser as
// well as in Node, so they cannot use `node:net`.

const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const IPV4 =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_GROUP = /^[0-9a-f]{1,4}$/i;
// RFC 5322 dot-atom characters for the local part (ASCII only).
const LOCAL_PART =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i;

/**
 * True for a dotted IPv4 address such as `192.0.2.10`.
 *
 * @public
 */
export function isIPv4Address(value: string): boolean {
  return IPV4.test(value);
}

/**
 * True for an IPv6 address, optionally in brackets, optionally ending in an IPv4 part.
 *
 * @public
 */
export function isIPv6Address(value: string): boolean {
  const bare =
    value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (!bare.includes(':')) return false;
  const halves = bare.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap(half => (half === '' ? [] : half.split(':')));
  const last = groups[groups.length - 1];
  const endsInIPv4 = last !== undefined && isIPv4Address(last);
  const hexGroups = endsInIPv4 ? groups.slice(0, -1) : groups;
  if (!hexGroups.every(group => IPV6_GROUP.test(group))) return false;
  const width = hexGroups.length + (endsInIPv4 ? 2 : 0);
  return halves.length === 2 ? width < 8 : width === 8;
}

/**
 * True for a DNS host name (RFC 1123), e.g. `smtp.office365.com` or `localhost`.
 *
 * @public
 */
export function isHostName(value: string): boolean {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  // An all-numeric last label would be a mistyped IPv4 address, not a name.
  if (labels.length > 1 && /^\d+$/.test(labels[labels.length - 1]))
    return false;
  return labels.every(label => HOST_LABEL.test(label));
}

/**
 * True for anything an SMTP client can connect to: a host name or an IP address.
 *
 * @public
 */
export function isServerAddress(value: string): boolean {
  return isHostName(value) || isIPv4Address(value) || isIPv6Address(value);
}

/**
 * True for a plain mailbox address `local@domain.example` (no display name).
 *
 * @public
 */
export function isEmailAddress(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at < 1) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  return (
    local.length <= 64 &&
    LOCAL_PART.test(local) &&
    domain.includes('.') &&
    isHostName(domain)
  );
}

/**
 * True when the text contains a character that would let it break out of a mail header line.
 *
 * @public
 */
export function hasLineBreak(value: string): boolean {
  return /[\r\n\u2028\u2029]/.test(value);
}

/**
 * True when the text contains a control character other than tab: NUL ends
 * a field in SMTP AUTH PLAIN, and none belongs in a header or a setting.
 *
 * @public
 */
export function hasControlCharacter(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value);
}
