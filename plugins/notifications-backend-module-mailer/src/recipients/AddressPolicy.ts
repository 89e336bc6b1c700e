import { isEmailAddress } from '@elixeum/plugin-mailer-common';
import { AddressRules } from '../config';

/**
 * Decides which addresses may get notification email, with the upstream
 * email module's rules so a switch keeps them: a malformed address never;
 * an allow-listed one always; with `allowedDomains`, only those domains;
 * with an allow list alone, only the list; the deny list last, over all.
 */
export class AddressPolicy {
  private readonly allowedDomains?: Set<string>;
  private readonly allowlist?: Set<string>;
  private readonly denylist?: Set<string>;

  constructor(rules: AddressRules) {
    this.allowedDomains = rules.allowedDomains && new Set(rules.allowedDomains);
    this.allowlist = rules.allowlist && new Set(rules.allowlist);
    this.denylist = rules.denylist && new Set(rules.denylist);
  }

  permits(address: string): boolean {
    if (!isEmailAddress(address)) return false;
    const normalized = address.toLowerCase();
    if (this.denylist?.has(normalized)) return false;
    if (this.allowlist?.has(normalized)) return true;
    if (this.allowedDomains) {
      const domain = normalized.slice(normalized.lastIndexOf('@') + 1);
      return this.allowedDomains.has(domain);
    }
    return this.allowlist === undefined;
  }
}
