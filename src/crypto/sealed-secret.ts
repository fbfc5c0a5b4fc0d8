import { fromBase64, toBase64, utf8 } from "./encoding";

/**
 * AES-256-GCM encryption of secrets the server must read back (HMAC signing secrets,
 * webhook signing secrets). The key is the worker secret DATA_ENCRYPTION_KEY (32 bytes, base64).
 * Stored as `v1.<iv b64>.<ciphertext b64>`; the version leaves room for key rotation.
 */
const keyCache = new Map<string, Promise<CryptoKey>>();

function importKey(base64Key: string): Promise<CryptoKey> {
  let key = keyCache.get(base64Key);
  if (!key) {
    const raw = fromBase64(base64Key);
    if (raw.length !== 32) throw new Error("DATA_ENCRYPTION_KEY must be 32 bytes, base64-encoded");
    key = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    keyCache.set(base64Key, key);
  }
  return key;
}

export async function sealSecret(plaintext: string, base64Key: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await importKey(base64Key), utf8(plaintext));
  return `v1.${toBase64(iv)}.${toBase64(new Uint8Array(ciphertext))}`;
}

export async function openSecret(sealed: string, base64Key: string): Promise<string> {
  const [version, iv, ciphertext] = sealed.split(".");
  if (version !== "v1" || !iv || !ciphertext) throw new Error("unknown sealed secret format");
  const plaintext = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(iv) },
    await importKey(base64Key),
    fromBase64(ciphertext),
  );
  return new TextDecoder().decode(plaintext);
}
