import { DeliveryPause } from '@elixeum/plugin-mailer-common';
import { DeliveryPauses } from '../database/DeliveryPauses';
import { tenantLaneKey } from './laneKeys';
import { PauseLookup } from '../service/MailQueue';
import { TenantSettingsService } from '../service/TenantSettingsService';

/**
 * Whether a tenant's mail is held back, and why: the pause of the server its
 * mail goes through now (its own, or the default mailbox's).
 */
export class TenantPauses implements PauseLookup {
  constructor(
    private readonly settings: TenantSettingsService,
    private readonly pauses: DeliveryPauses,
    private readonly defaultLaneKey: string,
  ) {}

  async of(tenantId: string): Promise<DeliveryPause | undefined> {
    const snapshot = await this.settings.snapshot(tenantId);
    const custom = this.settings.usesCustomServer(snapshot);
    const key = custom
      ? tenantLaneKey(tenantId, snapshot.fingerprint)
      : this.defaultLaneKey;
    const [pause] = await this.pauses.of([key]);
    if (!pause) return undefined;
    return {
      server: custom ? 'custom' : 'default',
      since: new Date(pause.since).toISOString(),
      nextAttemptAt: new Date(pause.until).toISOString(),
      failures: pause.failures,
      reason: pause.reason,
      ...(pause.advice && { advice: pause.advice }),
      reply: pause.reply,
    };
  }
}
