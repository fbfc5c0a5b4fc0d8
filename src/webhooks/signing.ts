import { fromBase64, toBase64, utf8 } from "../crypto/encoding";
import { randomBase62 } from "../domain/ids";

/**
 * Webhook signatures per the Standard Webhooks spec: `webhook-signature: v1,<base64 HMAC-SHA256>`
 * of `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the bytes of the `whsec_…` secret (its
 * base64 part); one `v1,…` per active secret, space-separated, while a rotation lets the old one
 * sign too. Receivers verify with the `standardwebhooks` package or plain WebCrypto (examples/verify-webhook.mjs).
 */
const SECRET_BYTES = 32;

export function newWebhookSecret(): string {
  return `whsec_${toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)))}`;
}

export async function signatureOf(secret: string, id: string, timestamp_seconds: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", fromBase64(secret.replace(/^whsec_/, "")), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = await crypto.subtle.sign("HMAC", key, utf8(`${id}.${timestamp_seconds}.${body}`));
  return `v1,${toBase64(new Uint8Array(mac))}`;
}

export async function signatureHeader(secrets: string[], id: string, timestamp_seconds: number, body: string): Promise<string> {
  return (await Promise.all(secrets.map((s) => signatureOf(s, id, timestamp_seconds, body)))).join(" ");
}

/** A delivery's own id (`whd_…`). */
export const newDeliveryId = () => `whd_${randomBase62(16)}`;
