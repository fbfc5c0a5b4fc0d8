import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { sha256Hex, timingSafeEqual } from "../crypto/encoding";
import { canonicalRequest, hmacSha256Hex, isTimestampFresh, NONCE_PATTERN, SIGNATURE_WINDOW_SECONDS } from "../crypto/request-signature";
import { openSecret } from "../crypto/sealed-secret";
import { findActiveKeyByHash, findActiveSigningKey } from "../db/api-keys";
import { database } from "../db/client";
import { parseKeyValue } from "../domain/api-keys";
import { withSandboxOffset } from "../domain/clock";
import { limitsOf } from "../domain/kyc";
import type { ReplayGuardDO } from "../signatures/replay-guard-do";
import type { MerchantCaller } from "../domain/callers";
import type { AppEnv } from "./context";
import { ApiError } from "../domain/errors";
import { cachedKey, type AuthenticatedKey } from "./key-cache";

/**
 * Authenticates a server-side call, by `Authorization: Bearer sk_…` or by an HMAC-signed request
 * (`X-Api-Key: mk_…`, `X-Api-Timestamp`, `X-Api-Signature`), and scopes it to the key's merchant and
 * mode. On a warm isolate neither way touches D1: keys come from the key cache, and signatures are
 * remembered by a ReplayGuardDO. A publishable key is refused (403 `publishable_key_not_allowed`).
 */
export const requireMerchantKey = merchantKeyMiddleware({ publishable: false });

/**
 * The same, and a publishable key (`Authorization: Bearer pk_…`) too, by the same cached lookup:
 * for the routes a browser calls from the merchant's page. The caller's `key_type` says which it
 * was, and the route answers a publishable key only its restricted view.
 */
export const acceptPublishableKey = merchantKeyMiddleware({ publishable: true });

function merchantKeyMiddleware(accepts: { publishable: boolean }) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const found = c.req.header("X-Api-Key") !== undefined ? await fromSignature(c) : await fromBearer(c, accepts);
    const { key, merchant_name, commission_bps, payout_fee_bps, sandbox_clock_offset_seconds, settlement_wallet_id, kyc_limits } = found;
    const caller: MerchantCaller = {
      merchant_id: key.merchant_id,
      merchant_name,
      mode: key.mode,
      key_id: key.id,
      key_type: key.type,
      commission_bps,
      payout_fee_bps,
      settlement_wallet_id,
      kyc_limits: limitsOf(kyc_limits),
    };
    c.set("merchant", caller);
    // The sandbox clock: a sandbox merchant's time may run ahead, so tests and demos can jump forward.
    if (caller.mode === "sandbox" && sandbox_clock_offset_seconds !== 0)
      c.set("clock", withSandboxOffset(c.get("clock"), sandbox_clock_offset_seconds));
    c.set("idempotencyScope", `merchant:${caller.merchant_id}:${caller.mode}`);
    await next();
  });
}

/** For sandbox conveniences (free top-ups, the clock): a live key gets 403. */
export const requireSandbox = createMiddleware<AppEnv>(async (c, next) => {
  if (c.get("merchant").mode !== "sandbox") {
    throw new ApiError("sandbox_only", "This endpoint exists only in sandbox mode; use a sk_sandbox_ key.");
  }
  await next();
});

async function fromBearer(c: Context<AppEnv>, accepts: { publishable: boolean }): Promise<AuthenticatedKey> {
  const header = c.req.header("Authorization");
  if (!header) {
    const message = "Send your secret key as `Authorization: Bearer sk_…`, or sign the request (X-Api-Key).";
    throw new ApiError("authentication_required", message);
  }
  const value = /^Bearer (.+)$/i.exec(header)?.[1]?.trim() ?? "";
  // A value that is no key of ours is refused without a lookup.
  if (!parseKeyValue(value)) throw new ApiError("invalid_api_key", "Invalid API key provided.");
  const hash = await sha256Hex(value);
  const found = await cachedKey(`hash:${hash}`, () => findActiveKeyByHash(database(c.env.DB), hash));
  if (!found) throw new ApiError("invalid_api_key", "Invalid API key provided.");
  if (found.key.type === "publishable" && !accepts.publishable) {
    throw new ApiError("publishable_key_not_allowed", "A publishable key cannot call server-side endpoints; use your secret key.");
  }
  return found;
}

async function fromSignature(c: Context<AppEnv>): Promise<AuthenticatedKey> {
  const key_id = c.req.header("X-Api-Key")!;
  const timestamp = c.req.header("X-Api-Timestamp");
  const signature = c.req.header("X-Api-Signature")?.toLowerCase();
  if (!timestamp) throw new ApiError("authentication_required", "Missing X-Api-Timestamp header.", "X-Api-Timestamp");
  if (!signature) throw new ApiError("authentication_required", "Missing X-Api-Signature header.", "X-Api-Signature");
  const nonce = c.req.header("X-Api-Nonce");
  if (nonce !== undefined && !NONCE_PATTERN.test(nonce)) {
    throw new ApiError("authentication_required", "X-Api-Nonce must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -.", "X-Api-Nonce");
  }
  // Security clocks are real time, never the sandbox clock.
  const now_ms = Date.now();
  if (!/^\d{1,12}$/.test(timestamp) || !isTimestampFresh(Number(timestamp), now_ms)) {
    throw new ApiError(
      "timestamp_out_of_window",
      `X-Api-Timestamp must be Unix seconds within ${SIGNATURE_WINDOW_SECONDS} s of the server's clock.`,
      "X-Api-Timestamp",
    );
  }
  const found = await cachedKey(`signing:${key_id}`, async () => {
    const row = await findActiveSigningKey(database(c.env.DB), key_id);
    if (!row?.key.secret_sealed) return undefined;
    return { ...row, signing_secret: await openSecret(row.key.secret_sealed, c.env.DATA_ENCRYPTION_KEY) };
  });
  if (!found?.signing_secret) throw new ApiError("invalid_api_key", "Invalid signing key id.", "X-Api-Key");
  const url = new URL(c.req.url);
  // The request target as sent: an empty query ("?") stays, as the documented recipe signs it (docs/reference/authentication.md).
  const canonical = await canonicalRequest(timestamp, c.req.method, c.req.url.slice(url.origin.length), await c.req.arrayBuffer(), nonce);
  if (!timingSafeEqual(await hmacSha256Hex(found.signing_secret, canonical), signature)) {
    throw new ApiError(
      "invalid_signature",
      "The signature does not match the request; see the HMAC recipe in the docs.",
      "X-Api-Signature",
    );
  }
  // A signature stays replayable while its timestamp is inside the window, so it is remembered that long.
  const remember_until_ms = (Number(timestamp) + SIGNATURE_WINDOW_SECONDS) * 1000;
  const guard = c.env.REPLAY_GUARD.get(c.env.REPLAY_GUARD.idFromName(`${key_id}:${signature[0]}`)) as DurableObjectStub<ReplayGuardDO>;
  if (!(await guard.recordOnce(signature, remember_until_ms, now_ms))) {
    throw new ApiError(
      "signature_replayed",
      "This signature was already used; sign each request with a fresh timestamp, or a fresh X-Api-Nonce for repeats within a second.",
      "X-Api-Signature",
    );
  }
  return found;
}
