/**
 * Verify a Mazad Wallet webhook with plain WebCrypto (Workers, Deno, browsers, Node ≥ 20): no
 * package needed. `secret` is the endpoint's `whsec_…`; `headers` a Headers object; `body` the raw
 * request body as text (verify before parsing it). Returns the parsed event, or null.
 * @param {string} secret @param {Headers} headers @param {string} body
 */
export async function verifyWebhook(secret, headers, body, tolerance_seconds = 300) {
  const id = headers.get("webhook-id");
  const timestamp = headers.get("webhook-timestamp");
  const signatures = headers.get("webhook-signature");
  if (!id || !timestamp || !signatures) return null;
  // An old timestamp is a replay; the signature covers it, so it cannot be changed.
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > tolerance_seconds) return null;

  const keyBytes = Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const signed = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  // During a secret rotation two signatures are sent, space-separated; one valid is enough.
  for (const signature of signatures.split(" ")) {
    const [version, mac] = signature.split(",");
    if (version !== "v1" || !mac) continue;
    const macBytes = Uint8Array.from(atob(mac), (c) => c.charCodeAt(0));
    // crypto.subtle.verify compares in constant time.
    if (await crypto.subtle.verify("HMAC", key, macBytes, signed)) return JSON.parse(body);
  }
  return null;
}
