/**
 * A fixed-window limit per user, kept in memory: enough to stop a person
 * from turning the connection test into a mail cannon. Each replica counts
 * on its own, so the real bound is the limit times the number of replicas.
 */
export class PerUserRateLimit {
  private readonly windows = new Map<
    string,
    { start: number; count: number }
  >();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one attempt; false when the user has used up the window. */
  tryAcquire(user: string): boolean {
    const now = this.now();
    const window = this.windows.get(user);
    if (!window || now - window.start >= this.windowMs) {
      this.forgetExpired(now);
      this.windows.set(user, { start: now, count: 1 });
      return true;
    }
    if (window.count >= this.limit) return false;
    window.count += 1;
    return true;
  }

  private forgetExpired(now: number): void {
    for (const [user, window] of this.windows) {
      if (now - window.start >= this.windowMs) this.windows.delete(user);
    }
  }
}
