/**
 * The DKIM key the portal signs a tenant's mail with, as the card shows
 * it: where to publish its public half, and what.
 *
 * @public
 */
export interface DkimKeyRecord {
  /** The `d=` domain it signs for (`SMTP.DKIM.Domain`). */
  domain: string;
  /** The `s=` selector (`SMTP.DKIM.Selector`). */
  selector: string;
  /** The name of the TXT record: `<selector>._domainkey.<domain>`. */
  name: string;
  /** The TXT record's value, e.g. `v=DKIM1; k=rsa; p=MIIB…`. */
  value: string;
  /**
   * The value as the character strings of at most 255 characters that DNS
   * holds (a 2048-bit key needs two); DNS consoles that take one string
   * split it themselves, zone files need them quoted one by one.
   */
  strings: string[];
  /** The key's length in bits. */
  bits: number;
}

/**
 * The body of `GET /dkim-key` and the answer of `POST /dkim-key`: the
 * stored key's record, absent while the portal does not sign.
 *
 * @public
 */
export interface DkimKeyResponse {
  /** The stored key's record; absent while the portal does not sign. */
  key?: DkimKeyRecord;
}

/**
 * The body of `POST /dkim-key`: a new 2048-bit key is made and stored for
 * `domain` (default: the stored one, else the sender's domain) under
 * `selector` (default: a new one, so the old key's record stays valid for
 * mail already on its way). The private key never leaves the backend.
 *
 * @public
 */
export interface DkimKeyRequest {
  /** The `d=` domain to sign for. */
  domain?: string;
  /** The `s=` selector of the new key. */
  selector?: string;
}
