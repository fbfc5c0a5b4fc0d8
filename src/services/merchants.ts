import type { Database } from "../db/client";
import {
  findBranding,
  insertMerchant,
  updateMerchant,
  updateMerchantWithLogo,
  type MerchantChanges,
  type MerchantRow,
} from "../db/merchants";
import type { KycLimitsPatch } from "../domain/kyc";
import { isBrandColor } from "../domain/brand-color";
import { toIsoSeconds } from "../domain/clock";
import { shownTextProblem } from "../domain/shown-text";
import { ApiError } from "../domain/errors";
import { newId, randomBase62 } from "../domain/ids";
import { checkLogo, MAX_LOGO_BYTES, type LogoType } from "../domain/images";
import { MODES } from "../domain/api-keys";
import { issueApiKey } from "./api-keys";

export const DEFAULT_COMMISSION_BPS = 250;

/**
 * A new merchant: the caller becomes its owner, it gets a settlement wallet per mode (where captured
 * funds land) and a first sandbox secret and publishable key, returned once.
 */
export async function createMerchant(
  db: Database,
  encryption_key: string,
  input: { name: string; website: string | null; owner_account_id: string; now_ms: number },
) {
  const problem = shownTextProblem(input.name, "name");
  if (problem) throw new ApiError("parameter_invalid", problem, "name");
  const now = toIsoSeconds(input.now_ms);
  const merchant: MerchantRow = {
    id: crypto.randomUUID(),
    name: input.name,
    website: input.website,
    commission_bps: DEFAULT_COMMISSION_BPS,
    sandbox_clock_offset_seconds: 0,
    display_name: null,
    brand_color: null,
    logo_id: null,
    kyc_limits: null,
    payout_fee_bps: 0,
    created_at: now,
    updated_at: now,
  };
  const settlement_wallets = MODES.map((mode) => ({
    id: newId("wallet"),
    merchant_id: merchant.id,
    mode,
    kind: "settlement" as const,
    user_id: null,
    status: "active" as const,
    created_at: now,
  }));
  await insertMerchant(db, merchant, input.owner_account_id, settlement_wallets);
  const keyInput = { merchant_id: merchant.id, mode: "sandbox" as const, name: "Default", now_ms: input.now_ms };
  const secret = await issueApiKey(db, encryption_key, { ...keyInput, type: "secret" });
  const publishable = await issueApiKey(db, encryption_key, { ...keyInput, type: "publishable" });
  return { merchant, secret_key: secret.secret, publishable_key: publishable.secret };
}

export interface MerchantSettings {
  name?: string;
  website?: string | null;
  /** The name buyers see on the hosted checkout instead of `name`; null goes back to `name`. */
  display_name?: string | null;
  /** `#rrggbb`; null goes back to the page's own blue. */
  brand_color?: string | null;
  /** A PNG or JPEG of at most 100 KB, checked on its bytes; null removes the logo. */
  logo?: Uint8Array | null;
  /** The KYC limits the merchant sets, replacing what it set before; what it leaves out is the platform's default. */
  kyc_limits?: KycLimitsPatch;
  /** The fee on its users' payouts, in basis points. */
  payout_fee_bps?: number;
}

/**
 * A logo as JSON carries it: base64, or a data URL as a browser's FileReader gives it
 * (`data:image/png;base64,…`), whose declared type is ignored — the bytes decide (domain/images.ts).
 */
export function decodeLogo(text: string): Uint8Array {
  const base64 = text.replace(/^data:[\w.+-]+\/[\w.+-]+;base64,/, "").replace(/\s/g, "");
  // 4 base64 characters carry 3 bytes: refuse a huge text before decoding it.
  if (base64.length > Math.ceil(MAX_LOGO_BYTES / 3) * 4 + 4)
    throw new ApiError("parameter_invalid", `The logo is more than ${MAX_LOGO_BYTES} bytes (100 KB).`, "logo");
  let binary: string;
  try {
    binary = atob(base64);
  } catch {
    throw new ApiError("parameter_invalid", "The logo must be base64 (or a data: URL with ;base64,).", "logo");
  }
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * Changes a merchant's settings and branding (PATCH /merchants/{id}, and the dashboard later): the
 * caller has checked that the account may manage this merchant's settings. Each value is checked
 * here too, so every caller gets the same refusals, with the field in `param`.
 */
export async function updateMerchantSettings(
  db: Database,
  merchant_id: string,
  settings: MerchantSettings,
  now_ms: number,
): Promise<{ merchant: MerchantRow; logo_type: LogoType | null } | undefined> {
  const { logo, kyc_limits, ...rest } = settings;
  if (typeof rest.brand_color === "string" && !isBrandColor(rest.brand_color))
    throw new ApiError("parameter_invalid", "brand_color must be a colour as #rrggbb, such as #0b5cad.", "brand_color");
  if (typeof rest.display_name === "string" && (rest.display_name.trim().length === 0 || rest.display_name.length > 100))
    throw new ApiError("parameter_invalid", "display_name is 1 to 100 characters.", "display_name");
  for (const field of ["name", "display_name"] as const) {
    const text = rest[field];
    const problem = typeof text === "string" ? shownTextProblem(text, field) : null;
    if (problem) throw new ApiError("parameter_invalid", problem, field);
  }
  const now = toIsoSeconds(now_ms);
  const changes: MerchantChanges = {
    ...rest,
    ...(typeof rest.brand_color === "string" ? { brand_color: rest.brand_color.toLowerCase() } : {}),
    ...(kyc_limits === undefined ? {} : { kyc_limits: JSON.stringify(kyc_limits) }),
    updated_at: now,
  };
  if (logo === undefined) {
    const merchant = await updateMerchant(db, merchant_id, changes);
    if (!merchant) return undefined;
    return { merchant, logo_type: merchant.logo_id ? ((await findBranding(db, merchant_id))?.logo_content_type ?? null) : null };
  }
  if (logo === null) {
    const merchant = await updateMerchantWithLogo(db, merchant_id, changes, null);
    return merchant && { merchant, logo_type: null };
  }
  const checked = checkLogo(logo);
  if (!checked.ok) throw new ApiError("parameter_invalid", checked.message, "logo");
  const row = {
    id: `logo_${randomBase62(24)}`,
    merchant_id,
    ...checked.image,
    byte_size: logo.length,
    data_base64: bytesToBase64(logo),
    created_at: now,
  };
  const merchant = await updateMerchantWithLogo(db, merchant_id, changes, row);
  return merchant && { merchant, logo_type: row.content_type };
}
