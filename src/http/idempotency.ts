import { createMiddleware } from "hono/factory";
import { sha256Hex } from "../crypto/encoding";
import { database } from "../db/client";
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from "../db/idempotency";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/**
 * `Idempotency-Key` on POSTs (DESIGN.md): the same key and body replays the stored response with
 * `Idempotent-Replayed: true`; the same key with another body is 422; the same key while the first
 * request still runs is 409. Keys are scoped per merchant and mode (or dashboard account), kept 24 h.
 * Responses of 5xx (and 409/429, which say "try again") are not stored, so a retry runs afresh.
 */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
const RETAIN_MS = 24 * 60 * 60 * 1000;
/** How long a running request holds its key before a retry may presume it crashed. */
const LOCK_MS = 2 * 60 * 1000;
const NOT_STORED = new Set([409, 429]);

export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("Idempotency-Key");
  const scope = c.get("idempotencyScope");
  if (c.req.method !== "POST" || key === undefined || scope === undefined) return next();
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
    throw new ApiError("idempotency_key_invalid", `Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} characters.`, "Idempotency-Key");
  }
  const db = database(c.env.DB);
  const request_hash = await sha256Hex(`${c.req.method} ${new URL(c.req.url).pathname}\n${await c.req.text()}`);
  const now_ms = c.get("clock").now_ms();
  const holder = await claimIdempotencyKey(db, { scope, key, request_hash, now_ms, lock_ms: LOCK_MS, retain_ms: RETAIN_MS });

  if (holder) {
    if (holder.request_hash !== request_hash) {
      throw new ApiError("idempotency_key_reused", "This Idempotency-Key was already used with a different request; use a new key.", "Idempotency-Key");
    }
    if (holder.state === "running" || holder.response_status === null) {
      throw new ApiError("idempotency_key_in_use", "A request with this Idempotency-Key is still running; retry shortly.", "Idempotency-Key");
    }
    return new Response(holder.response_body, {
      status: holder.response_status,
      headers: { "Content-Type": "application/json", "Idempotent-Replayed": "true" },
    });
  }

  try {
    await next();
  } finally {
    const status = c.res.status;
    if (status >= 500 || NOT_STORED.has(status)) {
      await releaseIdempotencyKey(db, scope, key, request_hash);
    } else {
      await completeIdempotencyKey(db, scope, key, request_hash, { status, body: await c.res.clone().text() });
    }
  }
});
