/**
 * A small in-memory cache with a size bound and an optional lifetime per entry, least recently used
 * entries evicted first (a Map keeps insertion order; a hit re-inserts). It lives in one isolate:
 * what it holds is a copy of storage, never the truth, and only values that are safe to serve stale
 * for `ttl_ms` (or that never change) belong in it.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, { value: V; expires_at_ms: number }>();

  constructor(
    private readonly max_entries: number,
    private readonly ttl_ms = Number.POSITIVE_INFINITY,
    private readonly now_ms: () => number = Date.now,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expires_at_ms <= this.now_ms()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires_at_ms: this.now_ms() + this.ttl_ms });
    if (this.entries.size > this.max_entries) this.entries.delete(this.entries.keys().next().value as K);
  }

  /** Forgets every entry whose value matches, e.g. all keys of one merchant. */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * A BoundedCache of values loaded on demand, where concurrent misses share one load and a load
 * that finds nothing (or fails) is not remembered.
 */
export class LoadingCache<K, V> {
  private readonly entries: BoundedCache<K, { pending: Promise<V | undefined>; value?: V }>;

  constructor(max_entries: number, ttl_ms?: number) {
    this.entries = new BoundedCache(max_entries, ttl_ms);
  }

  async load(key: K, loader: () => Promise<V | undefined>): Promise<V | undefined> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { pending: loader() };
      this.entries.set(key, entry);
    }
    const mine = entry;
    try {
      const value = await mine.pending;
      if (value === undefined) this.entries.deleteWhere((e) => e === mine);
      else mine.value = value;
      return value;
    } catch (error) {
      this.entries.deleteWhere((e) => e === mine);
      throw error;
    }
  }

  /** Forgets the entries whose value matches, and any load still under way (it may be stale). */
  forgetWhere(matches: (value: V) => boolean): void {
    this.entries.deleteWhere((e) => e.value === undefined || matches(e.value));
  }
}
