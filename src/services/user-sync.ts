import type { Database } from "../db/client";
import { findUserByExternalId, insertUser, updateUser, type SyncEvent, type UserChanges, type UserRow } from "../db/users";
import { toIsoSeconds } from "../domain/clock";
import type { Currency } from "../domain/currencies";
import { ApiError } from "../domain/errors";
import { canonicalJson } from "../domain/fingerprint";
import { eventIdOf, newId } from "../domain/ids";
import type { KycLevel } from "../domain/kyc";
import type { Mode } from "../domain/mode";

export interface SyncUserInput {
  external_id: string;
  full_name: string;
  email?: string | null;
  phone?: string | null;
  metadata?: Record<string, unknown>;
  default_currency: Currency;
  /** Omitted: as it is (`none` for a new user). */
  kyc_level?: KycLevel;
}

/** How often a sync re-reads a user another sync changed under it before giving up (a 429 to retry). */
const MAX_SYNC_ATTEMPTS = 5;

/**
 * Create or update an embedded user. The first sync creates the user and its wallet; later syncs
 * update only the mutable fields they send (name, email, phone, metadata, KYC level) and never re-create the
 * wallet. Omitted fields stay as they are; `null` clears email or phone.
 *
 * One fact, one event: user.synced is recorded with the change that creates or changes the user,
 * in the same D1 batch, with an id derived from (user, version). A sync that changes nothing
 * records nothing (its answer is the user as it is), so ten racing syncs of one new user make one
 * user, one wallet and one event.
 */
export async function syncUser(
  db: Database,
  scope: SyncScope,
  input: SyncUserInput,
): Promise<{ user: UserRow; created: boolean; event_id: string | null }> {
  for (let attempt = 0; attempt < MAX_SYNC_ATTEMPTS; attempt++) {
    const current = await findUserByExternalId(db, scope.merchant_id, scope.mode, input.external_id);
    if (!current) {
      const candidate = newUser(scope, input);
      const event = syncEvent(scope, candidate.id, candidate.version);
      const inserted = await insertUser(db, candidate, event);
      if (inserted) return { user: inserted, created: true, event_id: event.id };
      continue; // another sync created it meanwhile: compare with that one
    }
    const changes = changesTo(current, input);
    if (Object.keys(changes).length === 0) return { user: current, created: false, event_id: null };
    const event = syncEvent(scope, current.id, current.version + 1);
    const updated = await updateUser(db, current, changes, toIsoSeconds(scope.now_ms), event);
    if (updated) return { user: updated, created: false, event_id: event.id };
  }
  throw new ApiError("object_busy", "This user is being changed by other requests at this moment; retry shortly.", "external_id", {
    "Retry-After": "1",
  });
}

type SyncScope = { merchant_id: string; mode: Mode; now_ms: number; cause: { request_id: string; idempotency_key: string | null } };

function newUser(scope: SyncScope, input: SyncUserInput): UserRow {
  const now = toIsoSeconds(scope.now_ms);
  return {
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
    version: 1,
    kyc_level: input.kyc_level ?? "none",
  };
}

/** What a sync would change: the fields it sends whose values differ from the user's. */
function changesTo(current: UserRow, input: SyncUserInput): UserChanges {
  const changes: UserChanges = {};
  if (input.full_name !== current.full_name) changes.full_name = input.full_name;
  if (input.email !== undefined && input.email !== current.email) changes.email = input.email;
  if (input.phone !== undefined && input.phone !== current.phone) changes.phone = input.phone;
  if (input.metadata !== undefined && canonicalJson(input.metadata) !== canonicalJson(JSON.parse(current.metadata)))
    changes.metadata = JSON.stringify(input.metadata);
  if (input.kyc_level !== undefined && input.kyc_level !== current.kyc_level) changes.kyc_level = input.kyc_level;
  return changes;
}

function syncEvent(scope: SyncScope, user_id: string, version: number): SyncEvent {
  return { id: eventIdOf(`user.synced\n${user_id}\n${version}`), created_at_ms: scope.now_ms, ...scope.cause };
}
