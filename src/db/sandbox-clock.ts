import { eq, sql } from "drizzle-orm";
import type { Database } from "./client";
import { merchants } from "./schema";

/** Moves a merchant's sandbox clock forward (never back) and returns the new offset in seconds. */
export async function advanceSandboxClock(db: Database, merchant_id: string, seconds: number): Promise<number> {
  const [row] = await db
    .update(merchants)
    .set({ sandbox_clock_offset_seconds: sql`${merchants.sandbox_clock_offset_seconds} + ${seconds}` })
    .where(eq(merchants.id, merchant_id))
    .returning({ offset: merchants.sandbox_clock_offset_seconds });
  return row!.offset;
}

export async function readSandboxClockOffset(db: Database, merchant_id: string): Promise<number> {
  const row = await db
    .select({ offset: merchants.sandbox_clock_offset_seconds })
    .from(merchants)
    .where(eq(merchants.id, merchant_id))
    .get();
  return row?.offset ?? 0;
}
