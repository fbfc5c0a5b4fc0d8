import type { Database } from "../db/client";
import { insertMerchant, type MerchantRow } from "../db/merchants";
import { toIsoSeconds } from "../domain/clock";
import { newId } from "../domain/ids";
import { MODES } from "../domain/api-keys";
import { issueApiKey } from "./api-keys";

export const DEFAULT_COMMISSION_BPS = 250;

/**
 * A new merchant: the caller becomes its owner, it gets a settlement wallet per mode (where captured
 * funds land) and a first sandbox secret and publishable key, returned once.
 */
export async function createMerchant(
  db: Database,
  encryption_key: string,
  input: { name: string; website: string | null; owner_account_id: string; now_ms: number },
) {
  const now = toIsoSeconds(input.now_ms);
  const merchant: MerchantRow = {
    id: crypto.randomUUID(),
    name: input.name,
    website: input.website,
    commission_bps: DEFAULT_COMMISSION_BPS,
    sandbox_clock_offset_seconds: 0,
    created_at: now,
    updated_at: now,
  };
  const settlement_wallets = MODES.map((mode) => ({
    id: newId("wallet"),
    merchant_id: merchant.id,
    mode,
    kind: "settlement" as const,
    user_id: null,
    status: "active" as const,
    created_at: now,
  }));
  await insertMerchant(db, merchant, input.owner_account_id, settlement_wallets);
  const keyInput = { merchant_id: merchant.id, mode: "sandbox" as const, name: "Default", now_ms: input.now_ms };
  const secret = await issueApiKey(db, encryption_key, { ...keyInput, type: "secret" });
  const publishable = await issueApiKey(db, encryption_key, { ...keyInput, type: "publishable" });
  return { merchant, secret_key: secret.secret, publishable_key: publishable.secret };
}
