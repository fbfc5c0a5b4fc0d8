import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * The D1 schema. Timestamps are ISO 8601 UTC strings (they sort as text); `*_ms` columns are
 * epoch milliseconds where code compares them against the clock. Every merchant-owned row carries
 * `merchant_id` and `mode`, and every query on it filters by both (tenancy).
 */

export const accounts = sqliteTable("accounts", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name"),
  password_hash: text("password_hash").notNull(),
  created_at: text("created_at").notNull(),
});

export const merchants = sqliteTable("merchants", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  website: text("website"),
  /** Platform commission in basis points (250 = 2.5 %), a platform setting stored per merchant. */
  commission_bps: integer("commission_bps").notNull().default(250),
  /** How far this merchant's sandbox clock runs ahead of real time (POST /sandbox/clock). */
  sandbox_clock_offset_seconds: integer("sandbox_clock_offset_seconds").notNull().default(0),
  created_at: text("created_at").notNull(),
  updated_at: text("updated_at").notNull(),
});

export const memberships = sqliteTable(
  "memberships",
  {
    merchant_id: text("merchant_id").notNull().references(() => merchants.id),
    account_id: text("account_id").notNull().references(() => accounts.id),
    role: text("role", { enum: ["owner", "admin", "developer", "viewer"] }).notNull(),
    created_at: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchant_id, t.account_id] }), index("memberships_account").on(t.account_id)],
);

export const api_keys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    merchant_id: text("merchant_id").notNull().references(() => merchants.id),
    mode: text("mode", { enum: ["sandbox", "live"] }).notNull(),
    type: text("type", { enum: ["secret", "publishable", "signing"] }).notNull(),
    name: text("name"),
    /** SHA-256 of a secret or publishable key; looked up on every request. */
    secret_hash: text("secret_hash").unique(),
    /** A signing secret, AES-GCM sealed: the server must read it back to verify signatures. */
    secret_sealed: text("secret_sealed"),
    /** What the dashboard may show: the prefix and last four characters. */
    masked: text("masked").notNull(),
    created_at: text("created_at").notNull(),
    revoked_at: text("revoked_at"),
  },
  (t) => [index("api_keys_merchant").on(t.merchant_id, t.mode)],
);

export const wallets = sqliteTable(
  "wallets",
  {
    id: text("id").primaryKey(),
    merchant_id: text("merchant_id").notNull(),
    mode: text("mode", { enum: ["sandbox", "live"] }).notNull(),
    kind: text("kind", { enum: ["user", "settlement", "platform"] }).notNull(),
    user_id: text("user_id"),
    status: text("status", { enum: ["active", "frozen", "closed"] }).notNull().default("active"),
    created_at: text("created_at").notNull(),
  },
  (t) => [index("wallets_merchant").on(t.merchant_id, t.mode, t.kind)],
);

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    merchant_id: text("merchant_id").notNull(),
    mode: text("mode", { enum: ["sandbox", "live"] }).notNull(),
    external_id: text("external_id").notNull(),
    full_name: text("full_name").notNull(),
    email: text("email"),
    phone: text("phone"),
    /** JSON object of string values. */
    metadata: text("metadata").notNull().default("{}"),
    default_currency: text("default_currency").notNull(),
    wallet_id: text("wallet_id").notNull().unique(),
    created_at: text("created_at").notNull(),
    updated_at: text("updated_at").notNull(),
  },
  (t) => [uniqueIndex("users_external").on(t.merchant_id, t.mode, t.external_id)],
);

export const idempotency_keys = sqliteTable(
  "idempotency_keys",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    request_hash: text("request_hash").notNull(),
    state: text("state", { enum: ["running", "done"] }).notNull(),
    response_status: integer("response_status"),
    response_body: text("response_body"),
    /** A running request that holds the key past this time is presumed crashed; the key may be taken over. */
    locked_until_ms: integer("locked_until_ms").notNull(),
    expires_at_ms: integer("expires_at_ms").notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index("idempotency_expiry").on(t.expires_at_ms)],
);

/**
 * The index of checkouts (sessions and intents), written by each PaymentDO after its changes, off
 * the response path, never moving backwards (`version`). The object is the truth; this finds the
 * ones whose deadline (expiry, or auto-void of the payment) is due when a sandbox clock moves.
 */
export const checkouts = sqliteTable(
  "checkouts",
  {
    id: text("id").primaryKey(),
    merchant_id: text("merchant_id").notNull(),
    mode: text("mode", { enum: ["sandbox", "live"] }).notNull(),
    kind: text("kind", { enum: ["session", "intent"] }).notNull(),
    status: text("status").notNull(),
    payment_id: text("payment_id"),
    /** The next deadline on the merchant's clock, or null when nothing is due. */
    next_deadline_ms: integer("next_deadline_ms"),
    version: integer("version").notNull(),
    created_at_ms: integer("created_at_ms").notNull(),
    updated_at_ms: integer("updated_at_ms").notNull(),
  },
  (t) => [index("checkouts_deadline").on(t.merchant_id, t.mode, t.next_deadline_ms)],
);

/** The index of payments for GET /payments: newest first, by status and time. Trails the objects by a moment. */
export const payments = sqliteTable(
  "payments",
  {
    id: text("id").primaryKey(),
    merchant_id: text("merchant_id").notNull(),
    mode: text("mode", { enum: ["sandbox", "live"] }).notNull(),
    checkout_id: text("checkout_id").notNull(),
    method: text("method", { enum: ["wallet", "card"] }).notNull(),
    status: text("status").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    captured_amount: integer("captured_amount").notNull(),
    refunded_amount: integer("refunded_amount").notNull(),
    version: integer("version").notNull(),
    created_at_ms: integer("created_at_ms").notNull(),
    updated_at_ms: integer("updated_at_ms").notNull(),
  },
  (t) => [
    index("payments_merchant_time").on(t.merchant_id, t.mode, t.created_at_ms),
    index("payments_merchant_status_time").on(t.merchant_id, t.mode, t.status, t.created_at_ms),
  ],
);
