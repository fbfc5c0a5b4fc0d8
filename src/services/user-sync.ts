import type { Database } from "../db/client";
import { upsertUser, type UserChanges, type UserRow } from "../db/users";
import { toIsoSeconds } from "../domain/clock";
import type { Currency } from "../domain/currencies";
import { newId } from "../domain/ids";
import type { Mode } from "../domain/mode";

export interface SyncUserInput {
  external_id: string;
  full_name: string;
  email?: string | null;
  phone?: string | null;
  metadata?: Record<string, unknown>;
  default_currency: Currency;
}

/**
 * Create or update an embedded user (user-sync.txt). The first sync creates the user and its wallet;
 * later syncs update only the mutable fields they send (name, email, phone, metadata) and never
 * re-create the wallet. Omitted fields stay as they are; `null` clears email or phone.
 */
export async function syncUser(
  db: Database,
  scope: { merchant_id: string; mode: Mode; now_ms: number; cause: { request_id: string; idempotency_key: string | null } },
  input: SyncUserInput,
) {
  const now = toIsoSeconds(scope.now_ms);
  const candidate: UserRow = {
    id: newId("user"),
    merchant_id: scope.merchant_id,
    mode: scope.mode,
    external_id: input.external_id,
    full_name: input.full_name,
    email: input.email ?? null,
    phone: input.phone ?? null,
    metadata: JSON.stringify(input.metadata ?? {}),
    default_currency: input.default_currency,
    wallet_id: newId("wallet"),
    created_at: now,
    updated_at: now,
  };
  const changes: UserChanges = { full_name: input.full_name };
  if (input.email !== undefined) changes.email = input.email;
  if (input.phone !== undefined) changes.phone = input.phone;
  if (input.metadata !== undefined) changes.metadata = candidate.metadata;
  // user.synced is written in the same D1 batch as the user; its deliveries are queued after.
  const event = { id: newId("event"), created_at_ms: scope.now_ms, ...scope.cause };
  const user = await upsertUser(db, candidate, changes, event);
  return { user, created: user.wallet_id === candidate.wallet_id, event_id: event.id };
}
