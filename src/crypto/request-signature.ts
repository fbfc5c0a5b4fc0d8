import { sha256Hex, toHex, utf8 } from "./encoding";

/**
 * The merchant API's HMAC request signature, exactly as API.md defines it:
 *   canonical = timestamp + "\n" + METHOD + "\n" + path_and_query + "\n" + hex(sha256(raw_body))
 *   signature = lowercase hex HMAC-SHA256(key = signing secret as UTF-8, message = canonical)
 */
export const SIGNATURE_WINDOW_SECONDS = 300;

export async function canonicalRequest(
  timestamp: string,
  method: string,
  path_and_query: string,
  raw_body: ArrayBuffer | Uint8Array<ArrayBuffer>,
): Promise<string> {
  return `${timestamp}\n${method.toUpperCase()}\n${path_and_query}\n${await sha256Hex(raw_body)}`;
}

export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", utf8(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return toHex(await crypto.subtle.sign("HMAC", key, utf8(message)));
}

export function isTimestampFresh(timestamp_seconds: number, now_ms: number): boolean {
  return Math.abs(now_ms / 1000 - timestamp_seconds) <= SIGNATURE_WINDOW_SECONDS;
}
