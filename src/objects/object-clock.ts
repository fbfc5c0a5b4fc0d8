import { database } from "../db/client";
import { readSandboxClockOffset } from "../db/sandbox-clock";
import type { Owner } from "../domain/mode";

/** Where an object keeps small facts about itself (its id, its owner, its clock's offset). */
export interface MetaStore {
  getMeta(key: string): string | null;
  setMeta(key: string, value: string): void;
}

const OFFSET_KEY = "clock_offset_ms";

/**
 * The owner's clock, as an object keeps it. A sandbox merchant's time may run ahead of real time
 * (POST /sandbox/clock): each call brings the caller's offset, which the object remembers, so that
 * its alarm — which no request brings — keeps the owner's time; the alarm also reads the offset
 * afresh from the registry. Deadlines are stored in the owner's time and turned into real time for
 * the alarm.
 */
export class ObjectClock {
  constructor(private readonly meta: MetaStore) {}

  offsetMs(): number {
    return Number(this.meta.getMeta(OFFSET_KEY) ?? 0);
  }

  /** The owner's now: real time plus the offset. */
  now(): number {
    return Date.now() + this.offsetMs();
  }

  /** An instant on the owner's clock, in real time (for the alarm). */
  toRealMs(owner_ms: number): number {
    return owner_ms - this.offsetMs();
  }

  /** Remembers the caller's offset; written only when it changed, since reads are frequent. */
  remember(offset_ms: number | undefined): void {
    if (offset_ms === undefined) return;
    if (this.meta.getMeta(OFFSET_KEY) !== String(offset_ms)) this.meta.setMeta(OFFSET_KEY, String(offset_ms));
  }

  /** Reads the owner's offset afresh (the alarm's path: no caller told it). Live time is real time. */
  async refresh(env: Env, owner: Owner | null): Promise<void> {
    if (!owner) return;
    if (owner.mode !== "sandbox") return this.remember(0);
    this.remember((await readSandboxClockOffset(database(env.DB), owner.merchant_id)) * 1000);
  }
}
