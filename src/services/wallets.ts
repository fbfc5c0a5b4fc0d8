import { sha256Hex } from "../crypto/encoding";
import type { Database } from "../db/client";
import { findUser, type UserRow } from "../db/users";
import { findSettlementWalletId } from "../db/wallets";
import type { Clock } from "../domain/clock";
import { newId } from "../domain/ids";
import type { MerchantCaller, Mode } from "../http/context";
import { ApiError, notFound } from "../http/errors";
import type { CallContext, Refusal } from "../wallet/types";
import { walletStub } from "../wallet/wallet-do";

export { walletStub };

export const platformWalletId = (mode: Mode) => `wal_platform_${mode}`;

export function walletCall(wallet_id: string, clock: Clock, owner?: { merchant_id: string; mode: Mode }): CallContext {
  const call: CallContext = { wallet_id, now_ms: clock.now_ms(), clock_offset_ms: clock.offset_ms };
  if (owner) call.owner = { merchant_id: owner.merchant_id, mode: owner.mode };
  return call;
}

export async function requireUser(db: Database, merchant: MerchantCaller, id: string, param = "id"): Promise<UserRow> {
  const user = await findUser(db, merchant.merchant_id, merchant.mode, id);
  if (!user) throw notFound("user", param);
  return user;
}

export async function requireSettlementWallet(db: Database, merchant: MerchantCaller): Promise<string> {
  const id = await findSettlementWalletId(db, merchant.merchant_id, merchant.mode);
  if (!id) throw new Error(`merchant ${merchant.merchant_id} has no ${merchant.mode} settlement wallet`);
  return id;
}

/**
 * The wallet operation id for a request. With an Idempotency-Key it is derived from the key, so
 * even a retry that outlives the stored HTTP response cannot move money twice; without one, each
 * request is a new operation.
 */
export async function operationIdFor(scope: string, idempotency_key: string | undefined, purpose: string): Promise<string> {
  if (idempotency_key === undefined) return `${purpose}:${newId("request")}`;
  return `${purpose}:idem:${await sha256Hex(`${scope}\n${idempotency_key}`)}`;
}

const REFUSAL_PARAMS: Record<Refusal["code"], string | undefined> = {
  insufficient_funds: "amount",
  hold_not_found: "id",
  hold_not_active: "id",
  amount_exceeds_hold: "amount",
};

export function refusalError(refusal: Refusal): ApiError {
  if (refusal.code === "hold_not_found") return notFound("hold", "id");
  return new ApiError(refusal.code, refusal.message, REFUSAL_PARAMS[refusal.code]);
}
