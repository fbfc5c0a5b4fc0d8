import { z } from "@hono/zod-openapi";
import { CURRENCIES, CURRENCY_CODES, type Currency } from "../domain/currencies";
import { ID_PREFIXES } from "../domain/ids";
import { ENTRY_TYPES } from "../domain/ledger";
import { isValidAmount } from "../domain/money";

/**
 * Field schemas shared by several route files, so one rule has one definition. Limits live in the
 * schemas themselves, so the OpenAPI document states them and validation enforces the same numbers.
 */

export const currency = z.enum(CURRENCY_CODES).openapi({ example: "IQD", description: "ISO 4217 code" });

const LARGEST_AMOUNT = Math.max(...Object.values(CURRENCIES).map((c) => c.max_amount_minor));
const AMOUNT_LIMITS = Object.entries(CURRENCIES)
  .map(([code, c]) => `${code} ${c.max_amount_minor}`)
  .join(", ");

/** A positive integer amount in the currency's minor unit; a float is a 400, zero or less a 422. */
export const amount = z
  .number()
  .int()
  .positive()
  .openapi({
    example: 10000,
    maximum: LARGEST_AMOUNT,
    description: `Integer, in the currency's minor unit (IQD: dinars, USD: cents); at most ${AMOUNT_LIMITS}`,
  });

/**
 * The per-currency maximum depends on two fields, so it is checked on the whole body (422 on
 * `amount`), and documented as JSON Schema `if`/`then` per currency.
 */
export function withAmountLimit<T extends z.ZodType<{ amount: number; currency: Currency }>>(schema: T) {
  return schema
    .refine((body) => isValidAmount(body.amount, body.currency), {
      path: ["amount"],
      message: `amount is at most ${AMOUNT_LIMITS} (minor units)`,
    })
    .openapi({
      allOf: Object.entries(CURRENCIES).map(([code, c]) => ({
        if: { properties: { currency: { const: code } }, required: ["currency"] },
        then: { properties: { amount: { maximum: c.max_amount_minor } } },
      })),
    });
}

export const description = z.string().trim().min(1).max(500);
export const reference = z.string().trim().min(1).max(128);

/** An ISO 8601 instant with an offset, e.g. 2026-03-15T10:30:00Z. */
export const instant = z.iso.datetime({ offset: true }).openapi({ example: "2026-03-15T10:30:00Z" });

// ---- identifiers ------------------------------------------------------------------------------

export const EXTERNAL_ID_MAX_LENGTH = 128;
const MAZAD_USER_ID_PREFIX = ID_PREFIXES.user;

/**
 * A merchant's own id for a user. Unicode is compared in NFC, so two spellings of one name are one
 * user; surrounding whitespace is refused rather than trimmed, since trimming would silently merge
 * two ids the merchant considers different.
 */
const externalIdText = z
  .string()
  .min(1)
  .max(EXTERNAL_ID_MAX_LENGTH)
  .refine((value) => value.trim() === value, "external ids may not start or end with whitespace");

/** An external id as the API document shows it; NFC-normalized, so one name is one user. */
function documentedExternalId<S extends z.ZodType<string>>(text: S, description: string) {
  const openapi = { type: "string" as const, minLength: 1, maxLength: EXTERNAL_ID_MAX_LENGTH, example: "usr_12345", description };
  return text.transform((value) => value.normalize("NFC")).openapi(openapi);
}

export const externalId = documentedExternalId(externalIdText, "Your stable user id (not an email or phone); no surrounding whitespace");

/**
 * The external id a sync gives a user. Routes take a user as `mazad_user_id` or external id, so an
 * external id shaped like a Mazad id would make that reference ambiguous (and hide a user).
 */
export const syncedExternalId = documentedExternalId(
  externalIdText.refine(
    (value) => !value.startsWith(MAZAD_USER_ID_PREFIX),
    `external ids may not start with ${MAZAD_USER_ID_PREFIX}, the prefix of Mazad user ids`,
  ),
  `Your stable user id (not an email or phone); no surrounding whitespace, not starting with ${MAZAD_USER_ID_PREFIX}`,
);

/** A user named by `mazad_user_id` or by the merchant's external id. */
export const userRef = z
  .string()
  .min(1)
  .max(EXTERNAL_ID_MAX_LENGTH)
  .transform((value) => value.normalize("NFC"))
  .openapi({
    type: "string",
    minLength: 1,
    maxLength: EXTERNAL_ID_MAX_LENGTH,
    description: "mazad_user_id or your external_id",
    example: "usr_12345",
  });

export const userIdParam = z.object({
  id: userRef.openapi({ param: { name: "id", in: "path" }, example: "usr_12345" }),
});

/** The longest id a path takes; anything longer is refused before it reaches storage. */
export const ID_MAX_LENGTH = 64;

export function scopedIdParam(example: string) {
  return z.object({
    id: z
      .string()
      .min(1)
      .max(ID_MAX_LENGTH)
      .openapi({ param: { name: "id", in: "path" }, example }),
  });
}

// ---- metadata ---------------------------------------------------------------------------------

export const METADATA_MAX_KEYS = 20;
export const METADATA_KEY_MAX_LENGTH = 40;
export const METADATA_VALUE_MAX_LENGTH = 500;
/** Keys that mean something to JavaScript objects: refused, so they are never dropped or misread on either side. */
const RESERVED_METADATA_KEYS = ["__proto__", "constructor", "prototype"];

const metadataKey = z
  .string()
  .min(1)
  .max(METADATA_KEY_MAX_LENGTH)
  .refine((key) => !RESERVED_METADATA_KEYS.includes(key), `metadata keys may not be ${RESERVED_METADATA_KEYS.join(", ")}`);

const metadataValue = z.union([z.string().max(METADATA_VALUE_MAX_LENGTH), z.number(), z.boolean(), z.null()]);

/** OpenAPI 3.1 (JSON Schema 2020-12) keywords the generator's 3.0 typing does not list, hence a plain object. */
const METADATA_DOCUMENT = {
  type: "object" as const,
  maxProperties: METADATA_MAX_KEYS,
  propertyNames: { minLength: 1, maxLength: METADATA_KEY_MAX_LENGTH, not: { enum: RESERVED_METADATA_KEYS } },
  additionalProperties: {
    anyOf: [
      { type: "string" as const, maxLength: METADATA_VALUE_MAX_LENGTH },
      { type: "number" as const },
      { type: "boolean" as const },
      { type: "null" as const },
    ],
  },
  example: { order_id: "1042" },
  description:
    `Up to ${METADATA_MAX_KEYS} keys of at most ${METADATA_KEY_MAX_LENGTH} characters; values are strings of at most ` +
    `${METADATA_VALUE_MAX_LENGTH} characters, numbers, booleans or null`,
};

const metadataRecord = z
  .record(metadataKey, metadataValue)
  .refine((m) => Object.keys(m).length <= METADATA_MAX_KEYS, `metadata holds at most ${METADATA_MAX_KEYS} keys`);

/**
 * zod leaves an own `__proto__` key out of the records it builds, without a word; this looks at the
 * object as sent first, so such a key is refused rather than silently dropped.
 */
export const metadata = z
  .preprocess((value, ctx) => {
    if (value !== null && typeof value === "object" && Object.hasOwn(value, "__proto__")) {
      ctx.issues.push({ code: "custom", message: `metadata keys may not be ${RESERVED_METADATA_KEYS.join(", ")}`, input: value });
    }
    return value;
  }, metadataRecord)
  .openapi(METADATA_DOCUMENT);

// ---- query parameters -------------------------------------------------------------------------

/**
 * Query strings behave like bodies: unknown parameters are refused (defineRoute makes every query
 * strict), a value of the wrong type is a 400 naming it, and an empty value or `null` counts as
 * absent, as JSON's null does in a body.
 */
const absent = (value: unknown) => (value === "" || value === "null" ? undefined : value);

export function queryInteger(rule: { min: number; max: number; fallback: number }) {
  return z
    .preprocess(absent, z.coerce.number().int().min(rule.min).max(rule.max).default(rule.fallback))
    .openapi({ type: "integer", minimum: rule.min, maximum: rule.max, default: rule.fallback });
}

export function queryOptional<T extends z.ZodType>(schema: T, openapi: Record<string, unknown>) {
  return z.preprocess(absent, schema.optional()).openapi(openapi);
}

export const queryCurrency = queryOptional(z.enum(CURRENCY_CODES), {
  type: "string",
  enum: CURRENCY_CODES,
  description: "Only this currency",
});
export const queryInstant = queryOptional(z.iso.datetime({ offset: true }), {
  type: "string",
  format: "date-time",
  example: "2026-03-01T00:00:00Z",
});

// ---- shared response shapes -------------------------------------------------------------------

export const Balance = z
  .object({
    currency,
    available: z.number().int().openapi({ example: 1500000 }),
    held: z.number().int().openapi({ example: 250000 }),
    total: z.number().int().openapi({ example: 1750000 }),
  })
  .openapi("Balance");

export const Transaction = z
  .object({
    id: z.string().openapi({ example: "txn_f1e2d3c4b5a6" }),
    type: z.enum(ENTRY_TYPES),
    amount: z.number().int(),
    currency,
    description: z.string().nullable(),
    reference: z
      .string()
      .nullable()
      .openapi({ description: "The hold, transfer, payment, refund, top-up or payout this entry belongs to" }),
    balance_after: z.number().int().openapi({ description: "Available balance after this entry" }),
    created_at: z.string(),
  })
  .openapi("Transaction");

export const Pagination = z
  .object({ page: z.number().int(), per_page: z.number().int(), total: z.number().int(), total_pages: z.number().int() })
  .openapi("Pagination");

/** The pagination block of a list's answer: the page asked for and where it stands in the total. */
export function paginationOf(query: { page: number; per_page: number }, total: number): z.output<typeof Pagination> {
  return { page: query.page, per_page: query.per_page, total, total_pages: Math.ceil(total / query.per_page) };
}
