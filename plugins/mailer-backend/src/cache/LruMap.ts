/**
 * A Map that keeps at most `capacity` entries: setting an entry marks it as
 * the most recently used, and the least recently used go beyond the bound.
 * `use` reads an entry and marks it used too; `get` only reads.
 */
export class LruMap<K, V> extends Map<K, V> {
  constructor(private readonly capacity: number) {
    super();
  }

  /** The entry's value, marked as just used; undefined when there is none. */
  use(key: K): V | undefined {
    if (!this.has(key)) return undefined;
    const value = this.get(key)!;
    this.set(key, value);
    return value;
  }

  set(key: K, value: V): this {
    // A Map keeps insertion order: re-inserting moves the key to the end.
    super.delete(key);
    super.set(key, value);
    while (this.size > this.capacity) {
      super.delete(this.keys().next().value!);
    }
    return this;
  }
}
