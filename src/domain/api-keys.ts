import { MODES, type Mode } from "./mode";
import { ID_PREFIXES, randomBase62 } from "./ids";

/**
 * API key formats: `sk_<mode>_…` secret, `pk_<mode>_…` publishable, and signing keys
 * identified by `mk_…` with a separate secret. The prefix tells a reader what a key is and for
 * which mode, as Stripe's do; the random part carries ~190 bits.
 */
export type ApiKeyType = "secret" | "publishable" | "signing";
export const API_KEY_TYPES = ["secret", "publishable", "signing"] as const;
export { MODES };

const SECRET_LENGTH = 32;

export function generateKeyValue(type: "secret" | "publishable", mode: Mode): string {
  return `${type === "secret" ? "sk" : "pk"}_${mode}_${randomBase62(SECRET_LENGTH)}`;
}

export function generateSigningKey(mode: Mode): { key_id: string; secret: string } {
  return { key_id: `${ID_PREFIXES.signing_key}${mode}_${randomBase62(16)}`, secret: `mks_${randomBase62(SECRET_LENGTH)}` };
}

/** What the dashboard shows of a key after creation: its prefix and last four characters. */
export function maskKey(value: string): string {
  const prefixEnd = value.lastIndexOf("_") + 1;
  return `${value.slice(0, prefixEnd)}…${value.slice(-4)}`;
}

/** The mode a secret or publishable key value claims, or null when it is no key of ours. */
export function parseKeyValue(value: string): { type: "secret" | "publishable"; mode: Mode } | null {
  const match = /^(sk|pk)_(sandbox|live)_[0-9A-Za-z]{32}$/.exec(value);
  if (!match) return null;
  return { type: match[1] === "sk" ? "secret" : "publishable", mode: match[2] as Mode };
}
