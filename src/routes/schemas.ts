import { z } from "@hono/zod-openapi";
import { CURRENCIES, CURRENCY_CODES, type Currency } from "../domain/currencies";
import { isValidAmount } from "../domain/money";
import { ENTRY_TYPES } from "../domain/ledger";

/** Field schemas shared by several route files, so one rule has one definition. */

export const currency = z.enum(CURRENCY_CODES).openapi({ example: "IQD", description: "ISO 4217 code" });

/** A positive integer amount in the currency's minor unit; a float is a 400, zero or less a 422. */
export const amount = z
  .number()
  .int()
  .positive()
  .openapi({ example: 10000, description: "Integer, in the currency's minor unit (IQD: dinars, USD: cents)" });

/** The per-currency maximum depends on two fields, so it is checked on the whole body (422 on `amount`). */
export function withAmountLimit<T extends z.ZodType<{ amount: number; currency: Currency }>>(schema: T) {
  return schema.refine((body) => isValidAmount(body.amount, body.currency), {
    path: ["amount"],
    message: `Amount exceeds the per-operation maximum (${Object.entries(CURRENCIES).map(([code, c]) => `${code} ${c.max_amount_minor}`).join(", ")})`,
  });
}

export const description = z.string().trim().min(1).max(500);
export const reference = z.string().trim().min(1).max(128);

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
    reference: z.string().nullable(),
    balance_after: z.number().int().openapi({ description: "Available balance after this entry" }),
    created_at: z.string(),
  })
  .openapi("Transaction");

export const Pagination = z
  .object({ page: z.number().int(), per_page: z.number().int(), total: z.number().int(), total_pages: z.number().int() })
  .openapi("Pagination");

export const userIdParam = z.object({
  id: z.string().min(1).max(128).openapi({ param: { name: "id", in: "path" }, example: "usr_12345", description: "mazad_user_id or your external_id" }),
});
