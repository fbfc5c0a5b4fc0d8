import { sha256Hex } from "../crypto/encoding";
import { sealSecret } from "../crypto/sealed-secret";
import { toIsoSeconds } from "../domain/clock";
import { generateKeyValue, generateSigningKey, maskKey, type ApiKeyType } from "../domain/api-keys";
import { newId } from "../domain/ids";
import type { ApiKeyRow } from "../db/api-keys";
import { insertApiKey } from "../db/api-keys";
import type { Database } from "../db/client";
import type { Mode } from "../domain/mode";

export interface IssuedApiKey {
  row: ApiKeyRow;
  /** The secret, returned to the caller once and never stored in the clear. */
  secret: string;
}

/** Creates a key: secret and publishable values are stored hashed, signing secrets sealed. */
export async function issueApiKey(
  db: Database,
  encryption_key: string,
  input: { merchant_id: string; mode: Mode; type: ApiKeyType; name: string | null; now_ms: number },
): Promise<IssuedApiKey> {
  const base = {
    merchant_id: input.merchant_id,
    mode: input.mode,
    name: input.name,
    created_at: toIsoSeconds(input.now_ms),
    revoked_at: null,
  };
  let row: ApiKeyRow;
  let secret: string;
  if (input.type === "signing") {
    const signing = generateSigningKey(input.mode);
    secret = signing.secret;
    row = {
      ...base,
      id: signing.key_id,
      type: "signing",
      secret_hash: null,
      secret_sealed: await sealSecret(secret, encryption_key),
      masked: maskKey(secret),
    };
  } else {
    secret = generateKeyValue(input.type, input.mode);
    row = {
      ...base,
      id: newId("api_key"),
      type: input.type,
      secret_hash: await sha256Hex(secret),
      secret_sealed: null,
      masked: maskKey(secret),
    };
  }
  await insertApiKey(db, row);
  return { row, secret };
}
