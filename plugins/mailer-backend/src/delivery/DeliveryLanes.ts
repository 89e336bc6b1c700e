import {
  TenantSettingsService,
  TenantSettingsSnapshot,
} from '../service/TenantSettingsService';
import { AddressResolver, systemResolver } from '../smtp/openSmtpSocket';
import { accountOf, SmtpServerSettings } from '../smtp/SmtpServerSettings';
import { transportFor } from '../transport/transportFor';
import { OAuthTokens } from '../oauth/OAuthTokens';
import { LruMap } from '../cache/LruMap';
import { DeliveryLane, LaneEvents, LaneItem } from './DeliveryLane';
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
  /** The most tenant servers a replica sends to at once (the default mailbox comes on top). */
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

/** What the lanes tell the worker, besides what each lane tells. */
export type DeliveryLanesEvents = Omit<LaneEvents, 'idle'> & {
  /** A lane was retired; these messages were waiting in it and must be given back. */
  retired(lane: DeliveryLane, waiting: LaneItem[]): void;
};

/** Snapshots are re-read this often, so a settings change applies within it. */
const SNAPSHOT_TTL_MS = 500;

/** Tenants whose lane keys are remembered, by the version of their settings. */
const KEYS_KEPT = 50_000;

/**
 * The lanes of a replica, one per server in use: each tenant's own server
 * (one lane per version of its settings, so a fixed password starts a new,
 * unpaused lane) and the default mailbox. A lane whose tenant moved to new
 * settings is retired: it finishes what it is sending and closes.
 *
 * A lane handed out by `laneFor` is reserved until `unreserve`: the worker
 * claims for it in between, and nothing retires it meanwhile. A lane that
 * is retired anyway (its tenant's settings changed) refuses what it is
 * given, so a claim never lands in a lane that no longer sends.
 */
export class DeliveryLanes {
  private readonly lanes = new Map<string, DeliveryLane>();
  /** Retired lanes still finishing messages on the wire. */
  private readonly retiring = new Set<DeliveryLane>();
  private readonly snapshots = new Map<
    string,
    { snapshot: TenantSettingsSnapshot; readAt: number }
  >();
  /** Each tenant's lane key, for the version of its settings it was made for. */
  private readonly keys = new LruMap<
    string,
    { fingerprint: string; key: string }
  >(KEYS_KEPT);
  /** The lane key each tenant's mail went through last. */
  private readonly laneOfTenant = new Map<string, string>();
  private readonly defaultKey: string;
  private readonly sweeper: NodeJS.Timeout;
  private readonly laneEvents: LaneEvents;

  constructor(
    private readonly settings: TenantSettingsService,
    private readonly options: DeliveryLanesOptions,
    private readonly events: DeliveryLanesEvents,
  ) {
    this.defaultKey = defaultLaneKey(options.defaultServer);
    this.laneEvents = { ...events, idle: lane => this.onIdle(lane) };
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
    // Asked for every tenant on every refill: hashed once per settings version.
    const known = this.keys.get(tenantId);
    if (known?.fingerprint === snapshot.fingerprint) return known.key;
    const key = this.settings.usesCustomServer(snapshot)
      ? tenantLaneKey(tenantId, snapshot.fingerprint)
      : this.defaultKey;
    this.keys.set(tenantId, { fingerprint: snapshot.fingerprint, key });
    return key;
  }

  /**
   * The lane for the tenant's current settings, built if needed, and
   * reserved for the caller until `unreserve`. Undefined while every place
   * is taken (the tenant waits its turn). Throws when the settings cannot
   * be used (e.g. a secret no key decrypts).
   */
  laneFor(
    tenantId: string,
    snapshot: TenantSettingsSnapshot,
  ): DeliveryLane | undefined {
    const key = this.keyOf(tenantId, snapshot);
    this.moveTenant(tenantId, key);
    let lane = this.lanes.get(key);
    if (!lane) {
      if (key !== this.defaultKey && !this.makeRoom()) return undefined;
      lane =
        key === this.defaultKey
          ? this.build(key, this.options.defaultServer, undefined, {
              rateLimit: this.options.defaultRateLimit,
              resolve: systemResolver,
            })
          : this.buildForTenant(key, tenantId, snapshot);
      this.lanes.set(key, lane);
    }
    lane.tenants.add(tenantId);
    lane.lastUsed = Date.now();
    lane.reservations += 1;
    return lane;
  }

  /** The caller of `laneFor` has claimed for the lane (or given up on it). */
  unreserve(lane: DeliveryLane): void {
    lane.reservations = Math.max(0, lane.reservations - 1);
  }

  /** Every lane that may still hold messages: open ones and retired ones still sending. */
  all(): DeliveryLane[] {
    return [...this.lanes.values(), ...this.retiring];
  }

  /** The claims of every message any lane holds. */
  heldClaims(): Set<string> {
    return new Set(this.all().flatMap(lane => lane.heldClaims()));
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
    const limits = this.settings.sendingLimitsOf(snapshot);
    return this.build(key, server, tenantId, {
      rateLimit: limits.perMinute,
      dailyLimit: limits.perDay,
      resolve: this.options.tenantResolver,
    });
  }

  private build(
    key: string,
    server: SmtpServerSettings,
    tenantId: string | undefined,
    how: { rateLimit?: number; dailyLimit?: number; resolve: AddressResolver },
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
      how.dailyLimit,
      transport,
      options.maxConnections * options.windowPerConnection,
      options.retry,
      this.laneEvents,
    );
  }

  /** A tenant whose settings changed leaves its old lane; a tenant lane left empty retires. */
  private moveTenant(tenantId: string, key: string): void {
    const previous = this.laneOfTenant.get(tenantId);
    if (previous === key) return;
    this.laneOfTenant.set(tenantId, key);
    const lane = previous === undefined ? undefined : this.lanes.get(previous);
    if (!lane || !lane.tenants.delete(tenantId)) return;
    if (lane.tenants.size === 0 && lane.key !== this.defaultKey) {
      this.retire(lane);
    }
  }

  private retire(lane: DeliveryLane): void {
    this.lanes.delete(lane.key);
    this.retiring.add(lane);
    const waiting = lane.retire();
    this.events.retired(lane, waiting);
  }

  private onIdle(lane: DeliveryLane): void {
    if (!lane.isRetired || !this.retiring.delete(lane)) return;
    // Its place is free: a tenant that waited for one may have it now.
    this.events.room(lane);
  }

  /**
   * Whether another tenant lane may open: under the cap (which counts
   * retired lanes until their last message is done, so connections stay
   * bounded too), or once the least recently used idle lane is retired. Else
   * the lane that has had its turn longest gives its place up; it counts
   * until what it has on the wire is done, and the caller waits.
   */
  private makeRoom(): boolean {
    const tenantLanes = [...this.lanes.values()].filter(
      lane => lane.key !== this.defaultKey,
    );
    const finishing = [...this.retiring].filter(
      lane => lane.tenantId !== undefined,
    ).length;
    const places = this.options.maxLanes - finishing;
    if (tenantLanes.length < places) return true;
    const movable = tenantLanes.filter(lane => lane.reservations === 0);
    const idle = movable
      .filter(lane => lane.load === 0)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    if (idle.length > 0) {
      this.retire(idle[0]);
      return true;
    }
    const turnOver = movable
      .filter(lane => lane.hadItsTurn)
      .sort((a, b) => (a.firstSentAt ?? 0) - (b.firstSentAt ?? 0));
    if (turnOver.length > 0) this.retire(turnOver[0]);
    return false;
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.options.idleMs;
    for (const lane of this.lanes.values()) {
      if (
        lane.load === 0 &&
        lane.reservations === 0 &&
        lane.lastUsed < cutoff
      ) {
        this.retire(lane);
      }
    }
  }
}
