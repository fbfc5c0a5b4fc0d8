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
  /** Branding on the hosted checkout: the name buyers see (else `name`), a `#rrggbb` colour, the current logo. */
  display_name: text("display_name"),
  brand_color: text("brand_color"),
  logo_id: text("logo_id"),
  /** The merchant's KYC limit settings (domain/kyc.ts, KycLimitsPatch) as JSON; null: the platform's defaults. */
  kyc_limits: text("kyc_limits"),
  /** The fee on its users' payouts, in basis points (0: none), paid to the platform when a payout is paid. */
  payout_fee_bps: integer("payout_fee_bps").notNull().default(0),
  created_at: text("created_at").notNull(),
  updated_at: text("updated_at").notNull(),
});

/**
 * Merchants' logos, checked on their bytes (domain/images.ts) and served from our origin at
 * /checkout/logos/<id>.<ext>. A new upload is a new id (so the URL can be cached for good); the
 * merchant's previous logo is deleted with it.
 */
export const merchant_logos = sqliteTable(
  "merchant_logos",
  {
    id: text("id").primaryKey(),
    merchant_id: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    content_type: text("content_type", { enum: ["image/png", "image/jpeg"] }).notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    byte_size: integer("byte_size").notNull(),
    /** The image, base64: at most 100 KB of bytes, so a row stays far below D1's limits. */
    data_base64: text("data_base64").notNull(),
    created_at: text("created_at").notNull(),
  },
  (t) => [index("merchant_logos_merchant").on(t.merchant_id)],
);

export const memberships = sqliteTable(
  "memberships",
  {
    merchant_id: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
    account_id: text("account_id")
      .notNull()
      .references(() => accounts.id),
    role: text("role", { enum: ["owner", "admin", "developer", "viewer"] }).notNull(),
    created_at: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.merchant_id, t.account_id] }), index("memberships_account").on(t.account_id)],
);

export const api_keys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    merchant_id: text("merchant_id")
      .notNull()
      .references(() => merchants.id),
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
    status: text("status", { enum: ["active", "frozen", "closed"] })
      .notNull()
      .default("active"),
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
    /** Bumped by every sync that changes the user: its user.synced event's id is derived from it. */
    version: integer("version").notNull().default(1),
    /** What the merchant has verified of the user (domain/kyc.ts); its wallet enforces the level's limits. */
    kyc_level: text("kyc_level", { enum: ["none", "basic", "full"] })
      .notNull()
      .default("none"),
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
    /**
     * What the platform keeps on the payment (PaymentState.commission_amount). Null only where
     * migration 0007 could not fill it (a row the previous version wrote meanwhile): GET /payments
     * then asks the payment itself.
     */
    commission_amount: integer("commission_amount"),
    /** A wallet top-up's amount (what its capture sends on to the user's wallet); null for a payment to the merchant. */
    top_up_amount: integer("top_up_amount"),
    version: integer("version").notNull(),
    created_at_ms: integer("created_at_ms").notNull(),
    updated_at_ms: integer("updated_at_ms").notNull(),
  },
  (t) => [
    index("payments_merchant_time").on(t.merchant_id, t.mode, t.created_at_ms),
    index("payments_merchant_status_time").on(t.merchant_id, t.mode, t.status, t.created_at_ms),
  ],
);

/**
 * The events index: every event a merchant's objects (and the registry) recorded, as the queue
 * consumer received them — kept 30 days, listed by GET /events. An event is written here once
 * (by id), however many times its object forwarded it.
 */
export const events = sqliteTable(
  "events",
  {
    id: text("id").primaryKey(),
    merchant_id: text("merchant_id").notNull(),
    mode: text("mode", { enum: ["sandbox", "live"] }).notNull(),
    type: text("type").notNull(),
    /** The event's `data` (the object's snapshot), as JSON. */
    data: text("data").notNull(),
    request_id: text("request_id"),
    idempotency_key: text("idempotency_key"),
    created_at_ms: integer("created_at_ms").notNull(),
    /** When its deliveries were sent to the queue; null until then (the consumer, or the cron, fans it out). */
    fanned_out_at_ms: integer("fanned_out_at_ms"),
  },
  (t) => [
    index("events_merchant_time").on(t.merchant_id, t.mode, t.created_at_ms),
    index("events_merchant_type_time").on(t.merchant_id, t.mode, t.type, t.created_at_ms),
    index("events_unfanned").on(t.fanned_out_at_ms, t.created_at_ms),
  ],
);

/** Where a merchant wants events delivered. Secrets are sealed; the previous one signs too until it expires (rotation). */
export const webhook_endpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    merchant_id: text("merchant_id").notNull(),
    mode: text("mode", { enum: ["sandbox", "live"] }).notNull(),
    url: text("url").notNull(),
    /** JSON array of event types, or ["*"]. */
    events: text("events").notNull(),
    description: text("description"),
    status: text("status", { enum: ["enabled", "disabled"] }).notNull(),
    disabled_reason: text("disabled_reason"),
    secret_sealed: text("secret_sealed").notNull(),
    previous_secret_sealed: text("previous_secret_sealed"),
    previous_secret_expires_at_ms: integer("previous_secret_expires_at_ms"),
    created_at: text("created_at").notNull(),
    updated_at: text("updated_at").notNull(),
  },
  (t) => [index("webhook_endpoints_merchant").on(t.merchant_id, t.mode)],
);

/** Every delivery attempt (whd_…): when, what came back, how long it took, and when the next one is due. */
export const webhook_deliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    endpoint_id: text("endpoint_id").notNull(),
    event_id: text("event_id").notNull(),
    merchant_id: text("merchant_id").notNull(),
    mode: text("mode", { enum: ["sandbox", "live"] }).notNull(),
    attempt: integer("attempt").notNull(),
    /**
     * retrying: this attempt failed and another is scheduled; failed: the last attempt failed;
     * dead_lettered: the queue gave up (recorded by the dead-letter consumer).
     */
    outcome: text("outcome", { enum: ["succeeded", "retrying", "failed", "skipped", "dead_lettered"] }).notNull(),
    response_status: integer("response_status"),
    latency_ms: integer("latency_ms"),
    /** At most 1 KB of what the receiver answered, or why nothing came back. */
    response_excerpt: text("response_excerpt"),
    attempted_at_ms: integer("attempted_at_ms").notNull(),
    next_retry_at_ms: integer("next_retry_at_ms"),
  },
  (t) => [index("webhook_deliveries_endpoint").on(t.endpoint_id, t.attempted_at_ms), index("webhook_deliveries_event").on(t.event_id)],
);

/**
 * Dashboard sessions (/admin): the cookie holds a random token, this table only its SHA-256. Logging
 * out sets `revoked_at_ms`, so a copied cookie stops working at once; `csrf_token` is the session's
 * own token, which every form of the dashboard carries.
 */
export const dashboard_sessions = sqliteTable(
  "dashboard_sessions",
  {
    token_hash: text("token_hash").primaryKey(),
    account_id: text("account_id")
      .notNull()
      .references(() => accounts.id),
    csrf_token: text("csrf_token").notNull(),
    created_at_ms: integer("created_at_ms").notNull(),
    expires_at_ms: integer("expires_at_ms").notNull(),
    revoked_at_ms: integer("revoked_at_ms"),
  },
  (t) => [index("dashboard_sessions_account").on(t.account_id), index("dashboard_sessions_expiry").on(t.expires_at_ms)],
);

/**
 * Payouts, as the merchant lists them: an index of the payout objects (payouts/payout-do.ts),
 * written by each object off the response path, an older version never over a newer one.
 * `next_rail_at_ms` is when the sandbox rail next acts on the payout: what a clock move fires.
 */
export const payouts = sqliteTable(
  "payouts",
  {
    id: text("id").primaryKey(),
    merchant_id: text("merchant_id").notNull(),
    mode: text("mode", { enum: ["sandbox", "live"] }).notNull(),
    user_id: text("user_id"),
    status: text("status").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    next_rail_at_ms: integer("next_rail_at_ms"),
    version: integer("version").notNull(),
    created_at_ms: integer("created_at_ms").notNull(),
    updated_at_ms: integer("updated_at_ms").notNull(),
  },
  (t) => [
    index("payouts_merchant_time").on(t.merchant_id, t.mode, t.created_at_ms),
    index("payouts_merchant_user_time").on(t.merchant_id, t.mode, t.user_id, t.created_at_ms),
    index("payouts_merchant_rail").on(t.merchant_id, t.mode, t.next_rail_at_ms),
  ],
);
