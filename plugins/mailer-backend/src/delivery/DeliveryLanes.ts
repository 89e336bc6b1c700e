import {
  TenantSettingsService,
  TenantSettingsSnapshot,
} from '../service/TenantSettingsService';
import { AddressResolver, systemResolver } from '../smtp/openSmtpSocket';
import { accountOf, SmtpServerSettings } from '../smtp/SmtpServerSettings';
import { transportFor } from '../transport/transportFor';
import { OAuthTokens } from '../oauth/OAuthTokens';
import { DeliveryLane, LaneEvents } from './DeliveryLane';
import { accountKey, defaultLaneKey, tenantLaneKey } from './laneKeys';
import { RetryPolicy } from './retryPolicy';

/** How lanes are built and kept. */
export interface DeliveryLanesOptions {
  /** The default mailbox's server and its messages-per-minute limit. */
  defaultServer: SmtpServerSettings;
  defaultRateLimit?: number;
  extraCaCertificates: readonly string[];
  maxConnections: number;
  /** Claimed messages a lane holds per connection, at most. */
  windowPerConnection: number;
  connectionTimeoutMs: number;
  socketTimeoutMs: number;
  /** A lane without mail is closed after this. */
  idleMs: number;
  /** The most lanes (servers) a replica keeps open at once. */
  maxLanes: number;
  retry: RetryPolicy;
  /** How tenant servers' names are resolved (and checked against the server policy). */
  tenantResolver: AddressResolver;
  /** Whether tenant servers may get a password over a connection without TLS. */
  allowInsecureAuth: boolean;
  /** OAuth2 access tokens, shared with the connection test. */
  tokens: OAuthTokens;
  /** Microsoft Graph, for tenants that send through it. */
  graphBaseUrl: string;
}

/** Snapshots are re-read this often, so a settings change applies within it. */
const SNAPSHOT_TTL_MS = 500;

/**
 * The lanes of a replica, one per server in use: each tenant's own server
 * (one lane per version of its settings, so a fixed password starts a new,
 * unpaused lane) and the default mailbox. A lane whose tenant moved to new
 * settings is retired: it finishes what it is sending and closes.
 */
export class DeliveryLanes {
  private readonly lanes = new Map<string, DeliveryLane>();
  private readonly snapshots = new Map<
    string,
    { snapshot: TenantSettingsSnapshot; readAt: number }
  >();
  private readonly defaultKey: string;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly settings: TenantSettingsService,
    private readonly options: DeliveryLanesOptions,
    private readonly events: LaneEvents & {
      /** A lane was retired; its waiting messages must be given back. */
      retired(lane: DeliveryLane): void;
    },
  ) {
    this.defaultKey = defaultLaneKey(options.defaultServer);
    this.sweeper = setInterval(
      () => this.closeIdle(),
      Math.max(1000, options.idleMs / 2),
    );
    this.sweeper.unref();
  }

  /** The tenant's settings as stored, re-read at most every half second. */
  async snapshotOf(tenantId: string): Promise<TenantSettingsSnapshot> {
    const cached = this.snapshots.get(tenantId);
    if (cached && Date.now() - cached.readAt < SNAPSHOT_TTL_MS) {
      return cached.snapshot;
    }
    const snapshot = await this.settings.snapshot(tenantId);
    this.snapshots.set(tenantId, { snapshot, readAt: Date.now() });
    return snapshot;
  }

  /** Forgets a tenant's cached settings: they changed. */
  forgetSnapshot(tenantId: string): void {
    this.snapshots.delete(tenantId);
  }

  /**
   * The key of the lane the tenant's mail goes through, known without
   * decrypting anything: pauses are looked up by it.
   */
  keyOf(tenantId: string, snapshot: TenantSettingsSnapshot): string {
    return this.settings.usesCustomServer(snapshot)
      ? tenantLaneKey(tenantId, snapshot.fingerprint)
      : this.defaultKey;
  }

  /**
   * The lane for the tenant's current settings, built if needed. Throws
   * when the settings cannot be used (e.g. a secret no key decrypts).
   */
  laneFor(tenantId: string, snapshot: TenantSettingsSnapshot): DeliveryLane {
    const key = this.keyOf(tenantId, snapshot);
    this.moveTenant(tenantId, key);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane =
        key === this.defaultKey
          ? this.build(key, this.options.defaultServer, undefined, {
              rateLimit: this.options.defaultRateLimit,
              resolve: systemResolver,
            })
          : this.buildForTenant(key, tenantId, snapshot);
      this.makeRoom();
      this.lanes.set(key, lane);
    }
    lane.tenants.add(tenantId);
    return lane;
  }

  /** Every open lane. */
  all(): DeliveryLane[] {
    return [...this.lanes.values()];
  }

  /** Stops the idle sweeper; the lanes are closed by the caller. */
  stop(): void {
    clearInterval(this.sweeper);
  }

  private buildForTenant(
    key: string,
    tenantId: string,
    snapshot: TenantSettingsSnapshot,
  ): DeliveryLane {
    const server = this.settings.customServerOf(snapshot);
    if (!server) {
      throw new Error('The settings are incomplete');
    }
    return this.build(key, server, tenantId, {
      rateLimit: this.settings.rateLimitOf(snapshot),
      resolve: this.options.tenantResolver,
    });
  }

  private build(
    key: string,
    server: SmtpServerSettings,
    tenantId: string | undefined,
    how: { rateLimit?: number; resolve: AddressResolver },
  ): DeliveryLane {
    const { options } = this;
    const transport = transportFor(server, tenantId, {
      maxConnections: options.maxConnections,
      connectionTimeoutMs: options.connectionTimeoutMs,
      socketTimeoutMs: options.socketTimeoutMs,
      idleTimeoutMs: Math.min(options.idleMs, options.socketTimeoutMs / 2),
      resolve: how.resolve,
      extraCaCertificates: options.extraCaCertificates,
      // The operator's own default mailbox may do as its config says.
      allowInsecureAuth: tenantId === undefined || options.allowInsecureAuth,
      tokens: options.tokens,
      graphBaseUrl: options.graphBaseUrl,
    });
    return new DeliveryLane(
      key,
      accountKey(accountOf(server)),
      tenantId,
      how.rateLimit,
      transport,
      options.maxConnections * options.windowPerConnection,
      options.retry,
      this.events,
    );
  }

  /** A tenant whose settings changed leaves its old lane; a tenant lane left empty retires. */
  private moveTenant(tenantId: string, key: string): void {
    for (const [otherKey, lane] of this.lanes) {
      if (otherKey === key || !lane.tenants.delete(tenantId)) continue;
      if (lane.tenants.size === 0 && otherKey !== this.defaultKey) {
        this.retire(otherKey, lane);
      }
    }
  }

  private retire(key: string, lane: DeliveryLane): void {
    this.lanes.delete(key);
    this.events.retired(lane);
    lane.close();
  }

  /** Keeps the number of lanes under the cap by closing the least recently used idle one. */
  private makeRoom(): void {
    if (this.lanes.size < this.options.maxLanes) return;
    const idle = [...this.lanes.entries()]
      .filter(([, lane]) => lane.load === 0)
      .sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    if (idle.length > 0) this.retire(idle[0][0], idle[0][1]);
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.options.idleMs;
    for (const [key, lane] of this.lanes) {
      if (lane.load === 0 && lane.lastUsed < cutoff) this.retire(key, lane);
    }
  }
}
