// mailauth ships types for spf() and dmarc() only; these are the two helpers
// of its lib/tools that the sender check uses, as mailauth 4.x defines them.
declare module 'mailauth/lib/tools' {
  /**
   * Reads the DKIM key record at `name` (`<selector>._domainkey.<domain>`)
   * and parses it; fails with `code` ENOTFOUND/ENODATA (no record),
   * EINVALIDVAL, EINVALIDVER, EINVALIDTYPE (not a key) or ESHORTKEY.
   */
  export function getPublicKey(
    type: 'DKIM',
    name: string,
    minBitLength: number,
    resolver: (name: string, type: string) => Promise<any>,
  ): Promise<{
    publicKey: string | Buffer;
    rr: string;
    modulusLength?: number;
  }>;

  /**
   * The entry of `domainList` whose organizational domain (public suffix
   * list) is the From domain's, or false: DMARC's relaxed alignment.
   */
  export function getAlignment(
    fromDomain: string,
    domainList: Array<string | { domain: string }>,
    strict?: false,
  ): { domain: string } | false;
}
