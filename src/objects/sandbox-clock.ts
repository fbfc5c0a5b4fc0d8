import { database } from "../db/client";
import { readSandboxClockOffset } from "../db/sandbox-clock";
import type { Owner } from "../domain/mode";

/**
 * How far a sandbox merchant's clock runs ahead of real time, read afresh by an object's alarm, so
 * deadlines fire by the merchant's time even when no request brings it. Live time is real time.
 */
export async function ownerClockOffsetMs(env: Env, owner: Owner | null): Promise<number | null> {
  if (owner?.mode !== "sandbox") return owner ? 0 : null;
  return (await readSandboxClockOffset(database(env.DB), owner.merchant_id)) * 1000;
}
