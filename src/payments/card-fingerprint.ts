import { toHex, utf8 } from "../crypto/encoding";
import { normalizeCardNumber } from "../domain/card-simulator";

/**
 * A keyed fingerprint of a card number: the same card gives the same fingerprint (so a merchant
 * can recognise a returning card), yet without the server's key it cannot be reversed or checked
 * against a guess. The key is derived from DATA_ENCRYPTION_KEY for this one purpose.
 */
const keys = new Map<string, Promise<CryptoKey>>();

function fingerprintKey(data_key: string): Promise<CryptoKey> {
  let key = keys.get(data_key);
  if (!key) {
    key = crypto.subtle
      .digest("SHA-256", utf8(`card-fingerprint\n${data_key}`))
      .then((raw) => crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]));
    keys.set(data_key, key);
  }
  return key;
}

export async function cardFingerprint(number: string, data_key: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await fingerprintKey(data_key), utf8(normalizeCardNumber(number)));
  return toHex(mac).slice(0, 32);
}
