/**
 * A value read at most once per `maxAgeMs`: the gauges that share one query
 * share its answer within a collection, and a scraper that asks often does
 * not make the database work more. A reading in progress is shared too.
 */
export class LatestReading<T> {
  private reading?: Promise<T>;
  private startedAt = 0;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
  ) {}

  get(): Promise<T> {
    const now = Date.now();
    if (!this.reading || now - this.startedAt >= this.maxAgeMs) {
      this.startedAt = now;
      this.reading = this.read();
    }
    return this.reading;
  }
}
