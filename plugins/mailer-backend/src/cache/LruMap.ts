/** A bound on what the entries of an `LruMap` weigh together, e.g. in bytes. */
export interface LruWeightLimit<V> {
  /** The most the entries may weigh together; an entry heavier alone is not kept. */
  maxWeight: number;
  /** An entry's weight, read once when it is set. */
  weightOf(value: V): number;
}

/**
 * A Map that keeps at most `capacity` entries, and with a weight limit at
 * most `maxWeight` of them together: setting an entry marks it as the most
 * recently used, and the least recently used go beyond the bounds. An
 * entry heavier than the whole limit is not kept at all. `use` reads an
 * entry and marks it used too; `get` only reads.
 */
export class LruMap<K, V> extends Map<K, V> {
  private readonly weights = new Map<K, number>();
  private weight = 0;

  constructor(
    private readonly capacity: number,
    private readonly limit?: LruWeightLimit<V>,
  ) {
    super();
  }

  /** What the entries weigh together; 0 without a weight limit. */
  get totalWeight(): number {
    return this.weight;
  }

  /** The entry's value, marked as just used; undefined when there is none. */
  use(key: K): V | undefined {
    if (!this.has(key)) return undefined;
    const value = this.get(key)!;
    // A Map keeps insertion order: re-inserting moves the key to the end.
    super.delete(key);
    super.set(key, value);
    return value;
  }

  set(key: K, value: V): this {
    this.delete(key);
    const weight = this.limit?.weightOf(value) ?? 0;
    if (this.limit && !(weight <= this.limit.maxWeight)) return this;
    super.set(key, value);
    if (this.limit) {
      this.weights.set(key, weight);
      this.weight += weight;
    }
    while (
      this.size > this.capacity ||
      (this.limit && this.weight > this.limit.maxWeight)
    ) {
      this.delete(this.keys().next().value!);
    }
    return this;
  }

  delete(key: K): boolean {
    const weight = this.weights.get(key);
    if (weight !== undefined) {
      this.weights.delete(key);
      this.weight -= weight;
    }
    return super.delete(key);
  }

  clear(): void {
    this.weights.clear();
    this.weight = 0;
    super.clear();
  }
}
