import {
  SenderCheckResult,
  SettingsChange,
} from '@elixeum/plugin-mailer-common';
import { createHash } from 'node:crypto';
import { LruMap } from '../cache/LruMap';
import {
  runSenderCheck,
  SenderCheckTarget,
} from '../senderCheck/runSenderCheck';
import { SenderDns } from '../senderCheck/senderDns';
import { SmtpServerSettings } from '../smtp/SmtpServerSettings';
import { TenantSettingsService } from './TenantSettingsService';

/** Senders whose results are kept; each is a few kilobytes. */
const RESULTS_KEPT = 1000;

/** How the sender check is built; `now` is for tests. */
export interface SenderCheckOptions {
  settings: TenantSettingsService;
  /** The portal's default mailbox: checked while a tenant's settings are incomplete. */
  defaultServer: SmtpServerSettings;
  dns: SenderDns;
  /** How long a result is answered again without reading DNS. */
  cacheMs: number;
  now?: () => number;
}

/**
 * Whether the mail of a tenant's sender can reach the inbox: the From
 * address of the server its mail goes through (its own, or the default
 * mailbox while its settings are incomplete), checked against DNS. Results
 * are kept a few minutes per sender, except those DNS did not fully
 * answer: "could not check" is asked again next time.
 */
export class SenderCheck {
  private readonly results = new LruMap<
    string,
    { at: number; result: SenderCheckResult }
  >(RESULTS_KEPT);
  /** Checks running now, so that two viewers of one sender read DNS once. */
  private readonly running = new Map<string, Promise<SenderCheckResult>>();

  constructor(private readonly options: SenderCheckOptions) {}

  /**
   * Checks the sender of the settings as saved, or as they would be after
   * `values` (the form being edited). `refresh` reads DNS again. Throws
   * `InputError` for settings a save would refuse.
   */
  async check(
    tenantId: string,
    request: { values?: SettingsChange; refresh?: boolean } = {},
  ): Promise<SenderCheckResult> {
    const preview = await this.options.settings.previewServer(
      tenantId,
      request.values ?? {},
    );
    const [server, kind] =
      preview.server === 'custom'
        ? [preview.settings, 'custom' as const]
        : [this.options.defaultServer, 'default' as const];
    // The key the portal signs with (SMTP.DKIM.*): its record is checked
    // instead of the provider's selectors.
    const { dkim } = server;
    const target = {
      ...targetOf(server, kind),
      dkimKey: dkim && {
        domain: dkim.domain,
        selector: dkim.selector,
        key: dkim.privateKey,
      },
    };
    const key = keyOf(target);
    const now = this.options.now ?? Date.now;
    const kept = this.results.use(key);
    if (kept && !request.refresh && now() - kept.at < this.options.cacheMs) {
      return kept.result;
    }
    let run = this.running.get(key);
    if (!run) {
      run = this.run(key, target, now);
      this.running.set(key, run);
      run.finally(() => this.running.delete(key)).catch(() => {});
    }
    return run;
  }

  private async run(
    key: string,
    target: SenderCheckTarget,
    now: () => number,
  ): Promise<SenderCheckResult> {
    const session = this.options.dns.session();
    const result = await runSenderCheck(target, session, new Date(now()));
    if (session.failed) this.results.delete(key);
    else this.results.set(key, { at: now(), result });
    return result;
  }
}

function targetOf(
  server: SmtpServerSettings,
  kind: 'custom' | 'default',
): SenderCheckTarget {
  return {
    server: kind,
    from: server.from,
    host: server.host,
    transport: server.transport,
    login: server.auth?.user,
  };
}

/** What a result depends on; a key's own text only by its hash. */
function keyOf(target: SenderCheckTarget): string {
  const { dkimKey } = target;
  return JSON.stringify([
    target.server,
    target.from.toLowerCase(),
    target.host.toLowerCase(),
    target.transport ?? 'smtp',
    target.login?.toLowerCase() ?? '',
    dkimKey
      ? [
          dkimKey.domain,
          dkimKey.selector,
          createHash('sha256').update(dkimKey.key).digest('base64'),
        ]
      : null,
  ]);
}
