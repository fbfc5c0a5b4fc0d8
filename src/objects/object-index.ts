import type { MetaStore } from "./object-clock";

/**
 * An object's row in a D1 index (a payment's, a payout's), written after the response — never on
 * its path — and re-tried by the alarm until the index holds the object's latest version. The
 * index itself keeps an older version from overwriting a newer one.
 */
export class ObjectIndex<S extends { version: number }> {
  constructor(
    private readonly store: MetaStore & { state(): S | null },
    private readonly writeRow: (state: S) => Promise<void>,
    /** Names a failed write in the log. */
    private readonly label: string,
  ) {}

  /** Whether the index is behind the object's current version. */
  owed(): boolean {
    const state = this.store.state();
    return state !== null && this.indexedVersion() < state.version;
  }

  async write(): Promise<void> {
    const state = this.store.state();
    if (!state || this.indexedVersion() >= state.version) return;
    await this.writeRow(state);
    // A slower write of an older version may finish last: the mark only moves forward.
    if (this.indexedVersion() < state.version) this.store.setMeta("index_version", String(state.version));
  }

  /** Writes, and logs a failure instead of throwing: the alarm tries again. */
  async writeOrLog(): Promise<void> {
    await this.write().catch((error) => console.error(JSON.stringify({ [this.label]: String(error) })));
  }

  private indexedVersion(): number {
    return Number(this.store.getMeta("index_version") ?? 0);
  }
}
