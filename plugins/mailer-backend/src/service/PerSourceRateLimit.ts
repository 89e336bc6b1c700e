import { LruMap } from '../cache/LruMap';
import { parseIp } from '../security/ipAddress';

/** Sources whose windows are kept; an older one starts afresh. */
const SOURCES_KEPT = 10_000;

/**
 * The source a request counts for: its IPv4 address, or the /64 network
 * of an IPv6 address (one host usually holds a whole /64, and could
 * otherwise take a fresh address per request).
 */
export function sourceOf(ip: string | undefined): string {
  const bytes = ip === undefined ? undefined : parseIp(ip);
  if (!bytes) return 'unknown';
  if (bytes.length === 4) return bytes.join('.');
  return Buffer.from(bytes.subarray(0, 8)).toString('hex');
}

/**
 * A fixed-window limit per request source, for a route anyone may call.
 * Kept in memory for at most 10,000 sources (the least recently seen are
 * forgotten), so a flood from many addresses costs bounded memory. Each
 * replica counts on its own.
 */
export class PerSourceRateLimit {
  private readonly windows = new LruMap<
    string,
    { start: number; count: number }
  >(SOURCES_KEPT);

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request of `source`; false when it used up its window. */
  tryAcquire(source: string): boolean {
    const now = this.now();
    const window = this.windows.use(source);
    if (!window || now - window.start >= this.windowMs) {
      this.windows.set(source, { start: now, count: 1 });
      return true;
    }
    if (window.count >= this.limit) return false;
    window.count += 1;
    return true;
  }
}
