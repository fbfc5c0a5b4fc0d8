import { OpenAPIHono, z } from "@hono/zod-openapi";
import { CURRENCIES, type Currency } from "../domain/currencies";
import { limitsOf } from "../domain/kyc";
import type { Context } from "hono";
import { database } from "../db/client";
import { findMerchantForMember, type MerchantRow } from "../db/merchants";
import { BRAND_COLOR_PATTERN } from "../domain/brand-color";
import { logoPath, MAX_LOGO_BYTES, type LogoType } from "../domain/images";
import { MAX_PAYOUT_FEE_BPS } from "../domain/payout-machine";
import { ROLES, type Role } from "../domain/roles";
import { requirePermission } from "../http/auth-dashboard";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { shownTextProblem } from "../domain/shown-text";
import { notFound } from "../domain/errors";
import { idempotency } from "../http/idempotency";
import { forgetMerchantKeys } from "../http/key-cache";
import { defineRoute, errors, jsonBody, success, type RequestBodyOf, type ResponseDataOf } from "../http/openapi";
import { createMerchant, decodeLogo, updateMerchantSettings } from "../services/merchants";

/** A data: URL prefix, and 100 KB in base64 with room to spare: what is larger is refused by decodeLogo, naming the size. */
const LOGO_TEXT_MAX = Math.ceil(MAX_LOGO_BYTES / 3) * 4 + 1024;

// ---- Contract ---------------------------------------------------------------------------------

/** One limit: an amount in the currency's minor units, or null for none. */
const limitOf = (currency: Currency) => z.number().int().min(0).max(CURRENCIES[currency].max_issued_minor).nullable();
const limitsIn = (currency: Currency) =>
  z.strictObject({ max_balance: limitOf(currency), max_top_up_per_day: limitOf(currency), max_payout_per_day: limitOf(currency) });
const perCurrency = z.object({ IQD: limitsIn("IQD"), USD: limitsIn("USD") });

/** The limits in force, every level and currency (docs/guides/payouts.md, "Limits per KYC level"). */
const KycLimitsTable = z
  .object({ none: perCurrency, basic: perCurrency, full: perCurrency })
  .openapi("KycLimits", { description: "Per KYC level and currency, in minor units; null: no limit" });

/** What a merchant sets: any levels, currencies and limits; what it leaves out is the platform's default. */
const settingsIn = (currency: Currency) => limitsIn(currency).partial().optional();
const settingsPerCurrency = z.strictObject({ IQD: settingsIn("IQD"), USD: settingsIn("USD") }).optional();
const KycLimitsSettings = z
  .strictObject({ none: settingsPerCurrency, basic: settingsPerCurrency, full: settingsPerCurrency })
  .openapi({ description: "Replaces the limits you set before; anything left out is the platform's default (null: no limit)" });

export const MerchantId = z.uuid().openapi({ param: { name: "id", in: "path" }, example: "550e8400-e29b-41d4-a716-446655440000" });

const Merchant = z
  .object({
    id: z.uuid(),
    name: z.string(),
    website: z.string().nullable(),
    display_name: z.string().nullable().openapi({ description: "The name buyers see on the hosted checkout (else `name`)" }),
    brand_color: z.string().nullable().openapi({ description: "The hosted checkout's accent colour, `#rrggbb`", example: "#0b5cad" }),
    logo_url: z.string().nullable().openapi({
      description: "The logo on the hosted checkout, served from this server (a new URL for each upload, cached for good)",
      example: "https://wallet.example/checkout/logos/logo_4fQ9xT2mLw8Zc1Vb7Hn3Rk5P.png",
    }),
    commission_bps: z.number().int().openapi({ description: "Platform commission in basis points (250 = 2.5 %)" }),
    kyc_limits: KycLimitsTable,
    payout_fee_bps: z.number().int().openapi({
      description: "The fee on your users' payouts, in basis points of the amount (100 = 1 %), paid to the platform; 0: none",
    }),
    role: z.enum(ROLES).openapi({ description: "The caller's role in this merchant" }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Merchant");

const name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((text) => shownTextProblem(text, "name") === null, "name may not contain control or bidirectional-override characters")
  .openapi({ example: "Mazad Antiques" });
const website = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .openapi({ example: "https://antiques.example" });

const display_name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine(
    (text) => shownTextProblem(text, "display_name") === null,
    "display_name may not contain control or bidirectional-override characters",
  )
  .nullable()
  .openapi({
    description: "The name buyers see on the hosted checkout; null shows `name`",
    example: "Mazad Antiques — Baghdad",
  });
const brand_color = z.string().regex(BRAND_COLOR_PATTERN, "brand_color must be a colour as #rrggbb, such as #0b5cad").nullable().openapi({
  description:
    "The pay button's colour on the hosted checkout, `#rrggbb`; its text is white or dark, whichever reads better. null: the default",
  example: "#0b5cad",
});
const logo = z
  .string()
  .max(LOGO_TEXT_MAX)
  .nullable()
  .openapi({
    description:
      "A PNG or JPEG of at most 100 KB, base64 or a `data:image/…;base64,` URL. Checked on its bytes (the signature and a " +
      "readable size of 1–4096 px a side), never on a declared type: anything else is 422 `parameter_invalid` with `param: logo`. " +
      "Served from this server as `logo_url`. null removes it",
  });

const create = defineRoute({
  method: "post",
  path: "/",
  operationId: "createMerchant",
  tags: ["Onboarding"],
  summary: "Create a merchant; returns its first sandbox keys, shown once",
  auth: "dashboard",
  idempotent: true,
  middleware: [idempotency] as const,
  request: { body: jsonBody(z.strictObject({ name, website: website.optional() })) },
  responses: {
    201: success(
      Merchant.extend({
        secret_key: z.string().openapi({ example: "sk_sandbox_…", description: "Shown once; store it safely" }),
        publishable_key: z.string().openapi({ example: "pk_sandbox_…" }),
      }),
      "Merchant created",
    ),
  },
});

const read = defineRoute({
  method: "get",
  path: "/{id}",
  operationId: "getMerchant",
  tags: ["Onboarding"],
  summary: "A merchant's settings",
  auth: "member",
  request: { params: z.object({ id: MerchantId }) },
  responses: { 200: success(Merchant, "The merchant") },
});

const update = defineRoute({
  method: "patch",
  path: "/{id}",
  operationId: "updateMerchant",
  tags: ["Onboarding"],
  summary: "Change a merchant's settings and its checkout branding (owner, admin)",
  description:
    "Every field is optional; null clears `website`, `display_name`, `brand_color` and `logo`. The hosted checkout shows the " +
    "branding at once, with the domain of `website` (else of the checkout's success_url) as a trust cue. Bodies with a logo may " +
    "be up to 256 KiB.",
  auth: "member",
  middleware: [requirePermission("manage_settings")] as const,
  request: {
    params: z.object({ id: MerchantId }),
    body: jsonBody(
      z.strictObject({
        name: name.optional(),
        website: website.nullable().optional(),
        display_name: display_name.optional(),
        brand_color: brand_color.optional(),
        logo: logo.optional(),
        kyc_limits: KycLimitsSettings.optional(),
        payout_fee_bps: z
          .number()
          .int()
          .min(0)
          .max(MAX_PAYOUT_FEE_BPS)
          .optional()
          .openapi({ description: `The fee on your users' payouts, in basis points (0 to ${MAX_PAYOUT_FEE_BPS}); 0 for none` }),
      }),
    ),
  },
  responses: { 200: success(Merchant, "The updated merchant"), ...errors(403) },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const merchantRoutes = new OpenAPIHono<AppEnv>();

function present(merchant: MerchantRow, role: Role, origin: string, logo_type: LogoType | null) {
  const { id, name, website, display_name, brand_color, logo_id, commission_bps, payout_fee_bps, created_at, updated_at } = merchant;
  const logo_url = logo_id && logo_type ? origin + logoPath(logo_id, logo_type) : null;
  const kyc_limits = limitsOf(merchant.kyc_limits);
  return {
    id,
    name,
    website,
    display_name,
    brand_color,
    logo_url,
    commission_bps,
    kyc_limits,
    payout_fee_bps,
    role,
    created_at,
    updated_at,
  };
}

const originOf = (c: Context<AppEnv>) => new URL(c.req.url).origin;

merchantRoutes.openapi(create, async (c) => {
  const input = c.req.valid("json");
  const created = await createMerchant(database(c.env.DB), c.env.DATA_ENCRYPTION_KEY, {
    name: input.name,
    website: input.website ?? null,
    owner_account_id: c.get("account").account_id,
    now_ms: c.get("clock").now_ms(),
  });
  return c.json(
    ok({
      ...present(created.merchant, "owner", originOf(c), null),
      secret_key: created.secret_key,
      publishable_key: created.publishable_key,
    }),
    201,
  );
});

merchantRoutes.openapi(read, async (c) => {
  const found = await findMerchantForMember(database(c.env.DB), c.req.valid("param").id, c.get("account").account_id);
  if (!found) throw notFound("merchant", "id");
  return c.json(ok(present(found.merchant, found.role, originOf(c), found.logo_type)), 200);
});

merchantRoutes.openapi(update, async (c) => {
  const { logo, ...changes } = c.req.valid("json");
  const { merchant_id, role } = c.get("membership");
  const settings = { ...changes, ...(logo === undefined ? {} : { logo: logo === null ? null : decodeLogo(logo) }) };
  const updated = await updateMerchantSettings(database(c.env.DB), merchant_id, settings, c.get("clock").now_ms());
  if (!updated) throw notFound("merchant", "id");
  // Keys carry the merchant's settings (its name for the checkout page): read afresh here at once.
  forgetMerchantKeys(merchant_id);
  return c.json(ok(present(updated.merchant, role, originOf(c), updated.logo_type)), 200);
});

// The contract's types, as clients (and the tests) send and read them.
export type CreateMerchantRequest = RequestBodyOf<typeof create>;
export type CreateMerchantResponse = ResponseDataOf<typeof create, 201>;
export type GetMerchantResponse = ResponseDataOf<typeof read, 200>;
export type UpdateMerchantRequest = RequestBodyOf<typeof update>;
export type UpdateMerchantResponse = ResponseDataOf<typeof update, 200>;
