import {
  embeddedIPv4,
  inRange,
  IpBytes,
  IpRange,
  parseIpRange,
} from './ipAddress';

/** Why an address is not on the public internet, in words for an error message. */
export type InternalAddressKind =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'shared (carrier-grade NAT)'
  | 'multicast'
  | 'reserved'
  | 'cloud platform';

const RANGES: Array<[string, InternalAddressKind]> = [
  ['0.0.0.0/8', 'unspecified'],
  ['127.0.0.0/8', 'loopback'],
  ['10.0.0.0/8', 'private'],
  ['172.16.0.0/12', 'private'],
  ['192.168.0.0/16', 'private'],
  // Includes 169.254.169.254, the metadata service of most clouds.
  ['169.254.0.0/16', 'link-local'],
  ['100.64.0.0/10', 'shared (carrier-grade NAT)'],
  ['192.0.0.0/24', 'reserved'],
  ['198.18.0.0/15', 'reserved'],
  ['224.0.0.0/4', 'multicast'],
  // Includes the broadcast address 255.255.255.255.
  ['240.0.0.0/4', 'reserved'],
  // Azure's platform endpoint (WireServer): public-looking, but internal to the VM.
  ['168.63.129.16/32', 'cloud platform'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'],
  ['fc00::/7', 'unique-local'],
  ['ff00::/8', 'multicast'],
  // Local-use NAT64 (RFC 8215): an operator's own translator, into its own network.
  ['64:ff9b:1::/48', 'private'],
];

const INTERNAL_RANGES: Array<{ range: IpRange; kind: InternalAddressKind }> =
  RANGES.map(([text, kind]) => ({ range: parseIpRange(text)!, kind }));

/**
 * What kind of internal address this is (loopback, private, link-local, …),
 * or undefined for an address on the public internet. An IPv6 address that
 * carries an IPv4 one (NAT64, 6to4) is judged by that IPv4 address too.
 */
export function internalAddressKind(
  address: IpBytes,
): InternalAddressKind | undefined {
  const own = INTERNAL_RANGES.find(r => inRange(address, r.range))?.kind;
  if (own) return own;
  const carried = embeddedIPv4(address);
  return carried && INTERNAL_RANGES.find(r => inRange(carried, r.range))?.kind;
}
