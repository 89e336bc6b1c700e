import { InputError } from '@backstage/errors';
import { MailerTenantResolver } from '@elixeum/plugin-mailer-node';

/** The default resolver: the deployment serves one tenant, named in config. */
export class SingleTenantResolver implements MailerTenantResolver {
  constructor(private readonly tenantId: string) {}

  async resolveTenant(options: {
    requestedTenantId?: string;
  }): Promise<string> {
    const requested = options.requestedTenantId;
    if (requested !== undefined && requested !== this.tenantId) {
      throw new InputError(
        `This deployment serves the single tenant "${this.tenantId}"; it cannot send for tenant "${requested}"`,
      );
    }
    return this.tenantId;
  }

  /** Every user belongs to the one tenant. */
  async resolveUserTenant(): Promise<string> {
    return this.tenantId;
  }
}
