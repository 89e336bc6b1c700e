import { createTransport, Transporter } from 'nodemailer';
import { DeliveryConfig, SmtpServerSettings } from '../config';
import { TenantSettingsService } from '../service/TenantSettingsService';
import { toTransportOptions } from './transportOptions';

/** A pooled transport to one server, lent out while messages are sent through it. */
interface Pool {
  server: SmtpServerSettings;
  transport: Transporter;
  /** Which settings it was built from; undefined for the default server. */
  fingerprint?: string;
  inFlight: number;
  lastUsed: number;
  /** Replaced by newer settings: closes once its last message is done. */
  retired: boolean;
}

/** A pool lent to a caller; `release` must be called once its messages are done. */
export interface TransportLease {
  server: SmtpServerSettings;
  transport: Transporter;
  release(): void;
}

/**
 * The SMTP connection pools of a replica: one per tenant server, plus the
 * default server's. A tenant's pool is rebuilt as soon as its stored settings
 * change (on any replica); the old pool finishes what it is sending, then
 * closes. Idle pools close after a while and their number is capped, so
 * thousands of tenants do not hold thousands of idle connections.
 */
export class SmtpTransports {
  private readonly pools = new Map<string, Pool>();
  private defaultPool?: Pool;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly settings: TenantSettingsService,
    private readonly defaultServer: SmtpServerSettings,
    private readonly extraCaCertificates: readonly string[],
    private readonly delivery: Pick<
      DeliveryConfig,
      'maxConnections' | 'idlePoolMs' | 'maxPools'
    >,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(
      () => this.closeIdle(),
      Math.max(1000, delivery.idlePoolMs / 2),
    );
    this.sweeper.unref();
  }

  /** Lends the pool for the server the tenant uses now. */
  async acquire(tenantId: string): Promise<TransportLease> {
    const snapshot = await this.settings.snapshot(tenantId);
    // Everything below is synchronous, so concurrent callers share one pool.
    let pool = this.pools.get(tenantId);
    if (pool?.fingerprint !== snapshot.fingerprint) {
      if (pool) this.retire(tenantId, pool);
      const customServer = this.settings.customServerOf(snapshot);
      pool = customServer
        ? this.build(customServer, snapshot.fingerprint)
        : undefined;
      if (pool) {
        this.makeRoom();
        this.pools.set(tenantId, pool);
      }
    }
    return this.lend(pool ?? this.defaultServerPool());
  }

  /** How many pools are open, for tests and metrics. */
  get openPools(): number {
    return this.pools.size + (this.defaultPool ? 1 : 0);
  }

  /** Closes every pool; called when the backend stops. */
  close(): void {
    clearInterval(this.sweeper);
    for (const pool of this.pools.values()) pool.transport.close();
    this.pools.clear();
    this.defaultPool?.transport.close();
    this.defaultPool = undefined;
  }

  private defaultServerPool(): Pool {
    this.defaultPool ??= this.build(this.defaultServer, undefined);
    return this.defaultPool;
  }

  private lend(pool: Pool): TransportLease {
    pool.inFlight += 1;
    pool.lastUsed = this.now();
    let released = false;
    return {
      server: pool.server,
      transport: pool.transport,
      release: () => {
        if (released) return;
        released = true;
        pool.inFlight -= 1;
        pool.lastUsed = this.now();
        if (pool.retired && pool.inFlight === 0) pool.transport.close();
      },
    };
  }

  private retire(tenantId: string, pool: Pool): void {
    this.pools.delete(tenantId);
    pool.retired = true;
    if (pool.inFlight === 0) pool.transport.close();
  }

  /** Keeps the number of tenant pools under the cap by closing the least recently used idle one. */
  private makeRoom(): void {
    if (this.pools.size < this.delivery.maxPools) return;
    const idle = [...this.pools.entries()]
      .filter(([, pool]) => pool.inFlight === 0)
      .sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    if (idle.length > 0) this.retire(idle[0][0], idle[0][1]);
  }

  private closeIdle(): void {
    const cutoff = this.now() - this.delivery.idlePoolMs;
    for (const [tenantId, pool] of this.pools) {
      if (pool.inFlight === 0 && pool.lastUsed < cutoff)
        this.retire(tenantId, pool);
    }
    const defaultPool = this.defaultPool;
    if (
      defaultPool &&
      defaultPool.inFlight === 0 &&
      defaultPool.lastUsed < cutoff
    ) {
      defaultPool.transport.close();
      this.defaultPool = undefined;
    }
  }

  private build(
    server: SmtpServerSettings,
    fingerprint: string | undefined,
  ): Pool {
    const transport = createTransport({
      ...toTransportOptions(server, this.extraCaCertificates),
      pool: true,
      maxConnections: this.delivery.maxConnections,
      // Reconnecting costs a TLS handshake and a login: keep connections until
      // the server closes them (nodemailer then opens a new one).
      maxMessages: Infinity,
    });
    return {
      server,
      transport,
      fingerprint,
      inFlight: 0,
      lastUsed: this.now(),
      retired: false,
    };
  }
}
