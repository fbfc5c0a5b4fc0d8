import { sha256Hex } from "../crypto/encoding";
import type { Database } from "../db/client";
import { findUser, type UserRow } from "../db/users";
import { LoadingCache } from "../domain/bounded-cache";
import type { Clock } from "../domain/clock";
import { randomBase62 } from "../domain/ids";
import type { Mode } from "../domain/mode";
import { ApiError, notFound } from "../domain/errors";
import { guardedStub } from "../objects/object-capacity";
import type { CallContext, WalletOwner } from "../wallet/types";
import { walletObject, type WalletDO } from "../wallet/wallet-do";

/**
 * A wallet object as requests see it: every call counts against the object's capacity in this
 * isolate (http/object-capacity.ts). Calls between wallets use the raw stub: their outbox retries
 * on its own schedule.
 */
export function walletStub(env: Env, wallet_id: string): DurableObjectStub<WalletDO> {
  return guardedStub(wallet_id, walletObject(env, wallet_id));
}

/**
 * The platform's commission from one merchant lands in that merchant's share of the platform's
 * revenue wallet: every wallet then belongs to one merchant's money (see CURRENCIES), and the
 * platform's revenue is spread over as many objects as there are merchants instead of one hot one.
 */
export const platformWalletId = (owner: { merchant_id: string; mode: Mode }) => `wal_platform_${owner.mode}_${owner.merchant_id}`;

/**
 * A call to a wallet on behalf of a merchant. `found_by` says how the caller learned the wallet's id:
 * through the registry (a user's or the merchant's own wallet), which proves ownership, or from an
 * id alone (a hold's or transfer's), which the wallet checks against its recorded owner. `cause`:
 * the request, named on the events the change writes.
 */
export function walletCall(
  wallet_id: string,
  clock: Clock,
  owner: WalletOwner,
  found_by: "registry" | "id",
  cause?: CallContext["cause"],
): CallContext {
  return {
    wallet_id,
    now_ms: clock.now_ms(),
    clock_offset_ms: clock.offset_ms,
    owner: { merchant_id: owner.merchant_id, mode: owner.mode },
    owner_verified: found_by === "registry",
    ...(cause ? { cause } : {}),
  };
}

/** Who a user is and which wallet is its own (never changes), and the name the checkout page shows. */
export type UserWallet = Pick<UserRow, "id" | "external_id" | "wallet_id" | "created_at" | "full_name">;

/**
 * A user's wallet never changes, so the mapping from (merchant, mode, id or external id) to it is
 * kept in the isolate once read (docs/architecture.md, "The hot path"): a warm request reaches the wallet with
 * no D1 round trip. Entries are read afresh after USER_CACHE_TTL_SECONDS so a synced name change
 * reaches the checkout page; a sync in this isolate refreshes it at once. Unknown users are not
 * remembered — they may be synced a moment later.
 */
export const USER_CACHE_TTL_SECONDS = 300;
const userWallets = new LoadingCache<string, UserWallet>(50_000, USER_CACHE_TTL_SECONDS * 1000);

/** User ids are unique across merchants, so the id alone names the entries to drop. */
export function forgetUser(user_id: string): void {
  userWallets.forgetWhere((user) => user.id === user_id);
}

export async function requireUser(db: Database, merchant: WalletOwner, id: string, param = "id"): Promise<UserWallet> {
  const user = await userWallets.load(`${merchant.merchant_id}:${merchant.mode}:${id}`, async () => {
    const row = await findUser(db, merchant.merchant_id, merchant.mode, id);
    return (
      row && { id: row.id, external_id: row.external_id, wallet_id: row.wallet_id, created_at: row.created_at, full_name: row.full_name }
    );
  });
  if (!user) throw notFound("user", param);
  return user;
}

/**
 * The operation id for a request. With an Idempotency-Key it is derived from the key, so a retry —
 * however late — reaches the same operation in the object it acts on, which replays it or, if the
 * request differs, refuses it. Without one, each request is a new operation.
 */
export async function operationIdFor(scope: string, idempotency_key: string | undefined): Promise<string> {
  if (idempotency_key === undefined) return `req:${randomBase62(24)}`;
  return `idem:${await sha256Hex(`${scope}\n${idempotency_key}`)}`;
}
