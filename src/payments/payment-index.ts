import { database } from "../db/client";
import { upsertPaymentIndex } from "../db/payments";
import { indexRows } from "./index-rows";
import type { PaymentStore } from "./payment-store";

/**
 * The checkout's rows in the D1 index, written after the response (never on its path) and
 * re-tried by the alarm until the index holds the object's latest version.
 */
export class PaymentIndex {
  constructor(
    private readonly env: Env,
    private readonly store: PaymentStore,
  ) {}

  /** Whether the index is behind the object's current version. */
  owed(): boolean {
    const state = this.store.state();
    return state !== null && this.indexedVersion() < state.version;
  }

  async write(): Promise<void> {
    const state = this.store.state();
    if (!state || this.indexedVersion() >= state.version) return;
    await upsertPaymentIndex(database(this.env.DB), indexRows(state));
    // A slower write of an older version may finish last: the mark only moves forward.
    if (this.indexedVersion() < state.version) this.store.setMeta("index_version", String(state.version));
  }

  /** Writes, and logs a failure instead of throwing: the alarm tries again. */
  async writeOrLog(): Promise<void> {
    await this.write().catch((error) => console.error(JSON.stringify({ payment_index_failed: String(error) })));
  }

  private indexedVersion(): number {
    return Number(this.store.getMeta("index_version") ?? 0);
  }
}
