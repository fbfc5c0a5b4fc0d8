import { lt } from "drizzle-orm";
import type { Database } from "./client";
import { seen_signatures } from "./schema";

/** Records a signature as used; false when it was used before (a replay). Atomic under races. */
export async function recordSignatureOnce(db: Database, signature: string, expires_at_ms: number): Promise<boolean> {
  const inserted = await db.insert(seen_signatures).values({ signature, expires_at_ms }).onConflictDoNothing().returning();
  return inserted.length > 0;
}

export async function deleteExpiredSignatures(db: Database, now_ms: number): Promise<void> {
  await db.delete(seen_signatures).where(lt(seen_signatures.expires_at_ms, now_ms));
}
