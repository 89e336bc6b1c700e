import { createTransport, Transporter } from 'nodemailer';
import { MailerConfig, SmtpServerSettings } from '../config';
import { TenantSettingsService } from '../service/TenantSettingsService';
import { toTransportOptions } from './transportOptions';

/** A transport and the server it talks to. */
export interface ServerTransport {
  server: SmtpServerSettings;
  transport: Transporter;
}

interface TenantEntry extends ServerTransport {
  fingerprint: string;
}

/**
 * Hands out the transport for a tenant: its own server once every required
 * key is set, the default server otherwise. A tenant's transport is built
 * from its settings once and rebuilt as soon as the stored settings change
 * (on any replica), so the password is not decrypted per message.
 */
export class SmtpTransports {
  private readonly byTenant = new Map<string, TenantEntry>();
  private readonly defaultTransport: ServerTransport;

  constructor(
    private readonly settings: TenantSettingsService,
    private readonly config: MailerConfig,
  ) {
    this.defaultTransport = this.build(config.defaultServer);
  }

  async forTenant(tenantId: string): Promise<ServerTransport> {
    const snapshot = await this.settings.snapshot(tenantId);
    // Read the cache after the await, so concurrent callers share one build.
    const cached = this.byTenant.get(tenantId);
    if (cached?.fingerprint === snapshot.fingerprint) return cached;

    const customServer = this.settings.customServerOf(snapshot);
    const entry: TenantEntry = {
      fingerprint: snapshot.fingerprint,
      ...(customServer ? this.build(customServer) : this.defaultTransport),
    };
    this.byTenant.set(tenantId, entry);
    if (cached && cached.transport !== this.defaultTransport.transport) {
      cached.transport.close();
    }
    return entry;
  }

  /** Closes every transport; called when the backend shuts down. */
  close(): void {
    for (const entry of this.byTenant.values()) entry.transport.close();
    this.byTenant.clear();
    this.defaultTransport.transport.close();
  }

  private build(server: SmtpServerSettings): ServerTransport {
    return {
      server,
      transport: createTransport(
        toTransportOptions(server, this.config.extraCaCertificates),
      ),
    };
  }
}
