import {
  DeliveryStatus,
  DeliverySummary,
  ReplyExplanation,
  SMTP_KEYS,
  SmtpReply,
} from '@elixeum/plugin-mailer-common';
import { providerOf } from '../smtp/mailProvider';
import { explainProviderRefusal } from '../smtp/providerRefusals';
import { SmtpServerSettings } from '../smtp/SmtpServerSettings';
import { TenantSettingsService } from './TenantSettingsService';

type Server = Pick<SmtpServerSettings, 'host' | 'transport'>;

/**
 * Adds what a message's reply means to the delivery records, when the
 * portal knows (e.g. Gmail's refusal of an unauthenticated sender), as
 * they are read: records written before a rule existed are explained too.
 * Which provider answered is told by the server the tenant's mail goes
 * through now, or by the reply's own marks.
 */
export class ReplyExplanations {
  constructor(
    private readonly settings: TenantSettingsService,
    private readonly defaultServer: Server,
  ) {}

  /** The summary with an explanation beside each failure's reply that has one. */
  async summary(
    tenantId: string,
    summary: DeliverySummary,
  ): Promise<DeliverySummary> {
    if (!summary.recentFailures.some(f => f.reply?.response)) return summary;
    const explain = await this.explainerOf(tenantId);
    return {
      ...summary,
      recentFailures: summary.recentFailures.map(failure => {
        const explanation = explain(failure.reply);
        return explanation ? { ...failure, explanation } : failure;
      }),
    };
  }

  /** A message's record with an explanation of its last reply, when there is one. */
  async status(
    tenantId: string,
    status: DeliveryStatus,
  ): Promise<DeliveryStatus> {
    if (!status.lastReply?.response) return status;
    const explanation = (await this.explainerOf(tenantId))(status.lastReply);
    return explanation ? { ...status, explanation } : status;
  }

  /** What replies mean for this tenant's server, one reply at a time. */
  async explainerOf(
    tenantId: string,
  ): Promise<(reply?: SmtpReply) => ReplyExplanation | undefined> {
    const snapshot = await this.settings.snapshot(tenantId);
    // Host and transport are not secret: nothing is decrypted to read them.
    const value = (key: string) =>
      snapshot.settings.find(s => s.key === key)?.value;
    const server: Server = this.settings.usesCustomServer(snapshot)
      ? {
          host: value(SMTP_KEYS.server) ?? '',
          transport:
            value(SMTP_KEYS.transport) === 'microsoft-graph'
              ? 'microsoft-graph'
              : 'smtp',
        }
      : this.defaultServer;
    return reply => {
      if (!reply?.response) return undefined;
      const refusal = explainProviderRefusal(
        reply,
        providerOf(server, reply.response),
      );
      return refusal && { message: refusal.message, advice: refusal.advice };
    };
  }
}
