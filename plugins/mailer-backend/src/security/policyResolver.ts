import { AddressResolver } from '../net/addressResolver';
import { PolicyTarget, ServerPolicy, ServerPolicyError } from './ServerPolicy';

/**
 * The address resolver for tenant servers: the name is resolved once, by the
 * policy, and the address it checked is the one connected to, so DNS cannot
 * answer differently between the check and the connection. A refusal keeps
 * its message and gets the code `EPOLICY`, so delivery pauses the tenant.
 * `target` says what is checked (SMTP servers by default, or token URLs).
 */
export function policyResolver(
  policy: ServerPolicy,
  target?: PolicyTarget,
): AddressResolver {
  return async (host, port) => {
    try {
      return await policy.resolve(host, port, target);
    } catch (error) {
      if (error instanceof ServerPolicyError) {
        throw Object.assign(new Error(error.message), { code: 'EPOLICY' });
      }
      throw error;
    }
  };
}
