import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** The address a server name resolves to, and its family. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Turns a server name into the one address to connect to. Tenant servers get
 * a resolver that also applies the server policy; the name is resolved once,
 * so what was checked is what is connected to.
 */
export type AddressResolver = (
  host: string,
  port: number,
) => Promise<ResolvedAddress>;

/** Resolves with the system resolver (the operator's own servers). */
export const systemResolver: AddressResolver = async host => {
  const family = isIP(host);
  if (family === 4 || family === 6) return { address: host, family };
  const { address, family: resolvedFamily } = await lookup(host);
  return { address, family: resolvedFamily === 6 ? 6 : 4 };
};
