import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { sha256Hex } from "../crypto/encoding";
import { openSecret, sealSecret } from "../crypto/sealed-secret";
import { database } from "../db/client";
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from "../db/idempotency";
import { canonicalBody } from "../domain/fingerprint";
import type { AppEnv } from "./context";
import { ApiError } from "../domain/errors";

/**
 * `Idempotency-Key` for registry writes (user sync, onboarding, the sandbox clock), kept in D1 for
 * 24 h: the same key and body replays the stored response with `Idempotent-Replayed: true`; the
 * same key with another body is 422; the same key while the first request still runs is 409.
 * Money-moving routes do not use this: their operation record lives in the object they change,
 * in the same transaction as the change (services/wallets.ts, operationIdFor).
 *
 * It is a route middleware placed after the route's authorization, so a replay is served only to
 * a caller who may make the request now; stored responses are sealed with the data key, since some
 * (a new API key, a new merchant's keys) carry secrets.
 */
const RETAIN_MS = 24 * 60 * 60 * 1000;
/** How long a running request holds its key before a retry may presume it crashed. */
const LOCK_MS = 2 * 60 * 1000;
const NOT_STORED = new Set([409, 429]);

/**
 * A request refused for its shape never ran: like the money routes (which validate before reaching
 * the wallet that keeps their record), registry writes keep no answer for it, and a corrected retry
 * with the same key runs. Body parsing failures (malformed JSON, a wrong media type) come from the
 * validators as HTTP exceptions of their own.
 */
function refusedBeforeRunning(error: unknown): boolean {
  if (error instanceof ApiError) return error.refusedBeforeRunning;
  return error instanceof HTTPException && (error.status === 400 || error.status === 415);
}

export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("Idempotency-Key");
  const scope = c.get("idempotencyScope");
  if (c.req.method !== "POST" || key === undefined || scope === undefined) return next();
  const db = database(c.env.DB);
  // The same request however it is spelled: key order, whitespace and number forms do not count.
  const request_hash = await sha256Hex(`${c.req.method} ${new URL(c.req.url).pathname}\n${canonicalBody(await c.req.text())}`);
  const now_ms = c.get("clock").now_ms();
  const holder = await claimIdempotencyKey(db, { scope, key, request_hash, now_ms, lock_ms: LOCK_MS, retain_ms: RETAIN_MS });

  if (holder) {
    if (holder.request_hash !== request_hash) {
      throw new ApiError(
        "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request; use a new key.",
        "Idempotency-Key",
      );
    }
    if (holder.state === "running" || holder.response_status === null || holder.response_body === null) {
      throw new ApiError(
        "idempotency_key_in_use",
        "A request with this Idempotency-Key is still running; retry shortly.",
        "Idempotency-Key",
      );
    }
    return new Response(await openSecret(holder.response_body, c.env.DATA_ENCRYPTION_KEY), {
      status: holder.response_status,
      headers: { "Content-Type": "application/json", "Idempotent-Replayed": "true" },
    });
  }

  try {
    await next();
  } finally {
    const status = c.res.status;
    if (status >= 500 || NOT_STORED.has(status) || refusedBeforeRunning(c.error)) {
      await releaseIdempotencyKey(db, scope, key, request_hash);
    } else {
      const sealed = await sealSecret(await c.res.clone().text(), c.env.DATA_ENCRYPTION_KEY);
      await completeIdempotencyKey(db, scope, key, request_hash, { status, body: sealed });
    }
  }
});
