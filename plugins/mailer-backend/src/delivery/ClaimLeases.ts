import { LoggerService } from '@backstage/backend-plugin-api';
import { OutboxClaims } from '../database/OutboxClaims';
import { describeError } from '../errors/describeError';

interface Claim {
  /** Messages of the claim not yet recorded or given back. */
  open: number;
  /** Until when (this process's monotonic clock) the lease surely holds. */
  heldUntil: number;
}

const monotonicNow = () => performance.now();

/**
 * The leases of this replica's claims: extended while messages are in
 * flight, and the local view of whether a claim still holds. A message is
 * only started while its lease surely holds, so a replica cut off from the
 * database stops sending before another replica may take its messages.
 */
export class ClaimLeases {
  private readonly claims = new Map<string, Claim>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly outbox: OutboxClaims,
    private readonly leaseMs: number,
    private readonly logger: LoggerService,
    /** The claims this replica still holds messages of: only those are extended. */
    private readonly held: () => Set<string>,
  ) {}

  /**
   * Registers a claim of `count` messages. `issuedAt` is when the claim
   * statement was sent: the lease runs from no earlier than that.
   */
  add(token: string, count: number, issuedAt: number): void {
    this.claims.set(token, {
      open: count,
      heldUntil: issuedAt + this.safeLeaseMs(),
    });
  }

  /** When the claim was made: for `add`. */
  now(): number {
    return monotonicNow();
  }

  /** One message of the claim is done (recorded or given back). */
  done(token: string, count = 1): void {
    const claim = this.claims.get(token);
    if (!claim) return;
    claim.open -= count;
    if (claim.open <= 0) this.claims.delete(token);
  }

  /** Whether the claim surely still holds, by this replica's clock. */
  holds(token: string): boolean {
    const claim = this.claims.get(token);
    return claim !== undefined && monotonicNow() < claim.heldUntil;
  }

  /** Extends every open claim's lease now and then, until `stop`. */
  start(): void {
    const every = Math.max(50, Math.floor(this.leaseMs / 3));
    this.timer = setInterval(() => void this.extend(), every);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async extend(): Promise<void> {
    const held = this.held();
    const stray = [...this.claims.keys()].filter(token => !held.has(token));
    if (stray.length > 0) {
      // Nothing here will send or record them: let their leases run out,
      // so that another worker takes the messages, instead of keeping them
      // claimed for as long as this process runs.
      for (const token of stray) this.claims.delete(token);
      this.logger.warn(
        `${stray.length} claims are held by no lane; their leases are left to run out`,
      );
    }
    const tokens = [...this.claims.keys()];
    if (tokens.length === 0) return;
    const issuedAt = monotonicNow();
    try {
      const extended = await this.outbox.extendLeases(tokens, this.leaseMs);
      for (const token of tokens) {
        const claim = this.claims.get(token);
        if (!claim) continue;
        // A claim that holds nothing any more was taken over: send none of it.
        claim.heldUntil = extended.has(token)
          ? issuedAt + this.safeLeaseMs()
          : 0;
      }
    } catch (error) {
      this.logger.warn(
        `Could not extend the leases of ${tokens.length} claims: ${describeError(error)}`,
      );
    }
  }

  /** The lease, less a margin for the time a statement takes to reach the database. */
  private safeLeaseMs(): number {
    return this.leaseMs - Math.min(5000, this.leaseMs / 5);
  }
}
