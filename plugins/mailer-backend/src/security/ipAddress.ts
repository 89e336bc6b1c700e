import { isIP } from 'node:net';

/** An IP address as bytes: 4 for IPv4, 16 for IPv6. */
export type IpBytes = Uint8Array;

/** A range of addresses such as `10.0.0.0/8` or `fc00::/7`. */
export interface IpRange {
  bytes: IpBytes;
  prefix: number;
}

function ipv4Bytes(text: string): IpBytes {
  return Uint8Array.from(text.split('.').map(Number));
}

function ipv6Bytes(text: string): IpBytes {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, ''];
  const groups = (part: string) => {
    if (part === '') return [];
    const parts = part.split(':');
    const last = parts[parts.length - 1];
    if (!last.includes('.')) return parts.map(p => parseInt(p, 16));
    const [a, b, c, d] = ipv4Bytes(last);
    return [
      ...parts.slice(0, -1).map(p => parseInt(p, 16)),
      (a << 8) | b,
      (c << 8) | d,
    ];
  };
  const left = groups(head);
  const right = groups(tail);
  const all = [
    ...left,
    ...new Array(8 - left.length - right.length).fill(0),
    ...right,
  ];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}

/** Strips the brackets of `[::1]` and an IPv6 zone such as `%eth0`. */
export function bareAddress(text: string): string {
  const unbracketed =
    text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return unbracketed.includes(':') ? unbracketed.split('%')[0] : unbracketed;
}

/**
 * The bytes of an IP address, or undefined for anything else (e.g. a host
 * name). IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) come back as the
 * IPv4 address they are, so no rule can be dodged by writing one as the other.
 */
export function parseIp(text: string): IpBytes | undefined {
  const bare = bareAddress(text);
  const family = isIP(bare);
  if (family === 4) return ipv4Bytes(bare);
  if (family !== 6) return undefined;
  const bytes = ipv6Bytes(bare.toLowerCase());
  const mapped =
    bytes.slice(0, 10).every(b => b === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

/** `10.0.0.0/8`, `fc00::/7`, or a single address; undefined when it is neither. */
export function parseIpRange(text: string): IpRange | undefined {
  const [address, prefixText, ...rest] = text.split('/');
  if (rest.length > 0) return undefined;
  const bytes = parseIp(address);
  if (!bytes) return undefined;
  const bits = bytes.length * 8;
  if (prefixText === undefined) return { bytes, prefix: bits };
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  let prefix = Number(prefixText);
  // A mapped range (::ffff:10.0.0.0/104) becomes the IPv4 range it covers.
  if (bytes.length === 4 && isIP(bareAddress(address)) === 6) prefix -= 96;
  if (prefix < 0 || prefix > bits) return undefined;
  return { bytes, prefix };
}

/** True when `address` lies in `range`; addresses of the other family never do. */
export function inRange(address: IpBytes, range: IpRange): boolean {
  if (address.length !== range.bytes.length) return false;
  const whole = Math.floor(range.prefix / 8);
  for (let i = 0; i < whole; i++) {
    if (address[i] !== range.bytes[i]) return false;
  }
  const rest = range.prefix % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (address[whole] & mask) === (range.bytes[whole] & mask);
}

/**
 * The IPv4 address carried inside an IPv6 one by a translation scheme
 * (NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, the old IPv4-compatible `::/96`),
 * which a gateway may forward to that IPv4 address.
 */
export function embeddedIPv4(address: IpBytes): IpBytes | undefined {
  if (address.length !== 16) return undefined;
  const starts = (prefix: number[]) => prefix.every((b, i) => address[i] === b);
  if (starts([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) {
    return address.slice(12);
  }
  if (starts([0x20, 0x02])) return address.slice(2, 6);
  if (starts(new Array(12).fill(0))) return address.slice(12);
  return undefined;
}
