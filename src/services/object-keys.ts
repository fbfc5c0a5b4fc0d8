import { sha256Hex } from "../crypto/encoding";
import { base62FromBytes, OBJECT_KEY_LENGTH, randomBase62 } from "../domain/ids";

/**
 * The key of a new object (a checkout's, a payout's), which every public id of it carries. With an
 * Idempotency-Key it is derived from the key, so a retry reaches the object that has the first
 * answer; without one it is random. `kind` keeps one key's checkout and payout apart.
 */
export async function newObjectKey(kind: "checkout" | "payout", scope: string, idempotency_key: string | undefined): Promise<string> {
  if (idempotency_key === undefined) return randomBase62(OBJECT_KEY_LENGTH);
  const digest = await sha256Hex(`${kind}\n${scope}\n${idempotency_key}`);
  return base62FromBytes(Uint8Array.from(digest.match(/../g)!.map((h) => parseInt(h, 16))), OBJECT_KEY_LENGTH);
}
