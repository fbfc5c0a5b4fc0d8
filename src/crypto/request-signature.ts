import { sha256Hex, toHex, utf8 } from "./encoding";

/**
 * The merchant API's HMAC request signature:
 *   canonical = timestamp + "\n" + METHOD + "\n" + path_and_query + "\n" + hex(sha256(raw_body))
 *               [+ "\n" + nonce, when the request sends X-Api-Nonce]
 *   signature = lowercase hex HMAC-SHA256(key = signing secret as UTF-8, message = canonical)
 *
 * Each signature is accepted once. Timestamps are whole seconds, so two identical requests in one
 * second (polling a payment) would sign alike: a client that makes such requests sends a fresh
 * nonce with each, which makes each signature its own. Without a nonce the recipe is unchanged.
 */
export const SIGNATURE_WINDOW_SECONDS = 300;

/** A nonce is 1 to 64 characters of A–Z, a–z, 0–9, `_` and `-` (a UUID fits). */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export async function canonicalRequest(
  timestamp: string,
  method: string,
  path_and_query: string,
  raw_body: ArrayBuffer | Uint8Array<ArrayBuffer>,
  nonce?: string,
): Promise<string> {
  const canonical = `${timestamp}\n${method.toUpperCase()}\n${path_and_query}\n${await sha256Hex(raw_body)}`;
  return nonce === undefined ? canonical : `${canonical}\n${nonce}`;
}

export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", utf8(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return toHex(await crypto.subtle.sign("HMAC", key, utf8(message)));
}

export function isTimestampFresh(timestamp_seconds: number, now_ms: number): boolean {
  return Math.abs(now_ms / 1000 - timestamp_seconds) <= SIGNATURE_WINDOW_SECONDS;
}
