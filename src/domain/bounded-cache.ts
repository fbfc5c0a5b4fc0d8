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
 * A BoundedCache of values loaded on demand; a load that finds nothing (or fails) is not remembered.
 *
 * Concurrent misses each load for themselves rather than share one promise: in Workers a promise
 * whose I/O belongs to one request cannot safely be awaited by another (if the first request is
 * cancelled, the others fail with "Cannot perform I/O on behalf of a different request"). Misses
 * are rare — once per key per lifetime — so the duplicate loads cost little.
 */
export class LoadingCache<K, V> {
  private readonly entries: BoundedCache<K, V>;
  /** Bumped by forgetWhere: a load that began before it may have read what was just revoked. */
  private generation = 0;

  constructor(max_entries: number, ttl_ms?: number) {
    this.entries = new BoundedCache(max_entries, ttl_ms);
  }

  async load(key: K, loader: () => Promise<V | undefined>): Promise<V | undefined> {
    const cached = this.entries.get(key);
    if (cached !== undefined) return cached;
    const generation = this.generation;
    const value = await loader();
    if (value !== undefined && generation === this.generation) this.entries.set(key, value);
    return value;
  }

  /** Forgets the entries whose value matches; loads still under way will not be remembered. */
  forgetWhere(matches: (value: V) => boolean): void {
    this.generation++;
    this.entries.deleteWhere(matches);
  }
}
