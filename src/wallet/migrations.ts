import { EVENT_OUTBOX_SCHEMA } from "../objects/event-outbox";
/**
 * The wallet object's SQLite schema, as an append-only list: each object applies the ones it has not
 * yet applied, in its constructor under blockConcurrencyWhile. Never edit an applied migration.
 * CHECK constraints back the invariants the code asserts, so a bug cannot commit a negative balance.
 */
export const WALLET_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE balances (
    currency TEXT PRIMARY KEY,
    available INTEGER NOT NULL DEFAULT 0 CHECK (available >= 0),
    held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
    external_in INTEGER NOT NULL DEFAULT 0 CHECK (external_in >= 0),
    external_out INTEGER NOT NULL DEFAULT 0 CHECK (external_out >= 0)
  );
  CREATE TABLE entries (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL CHECK (type IN ('credit', 'debit', 'hold', 'release', 'refund')),
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    held_after INTEGER NOT NULL CHECK (held_after >= 0),
    description TEXT,
    reference TEXT,
    operation_id TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  -- The transactions list filters by currency, type and a time range, newest first; one index per
  -- combination keeps every page a range search (test/workers/wallet-history.test.ts checks the plans).
  CREATE INDEX entries_currency_type_time ON entries (currency, type, created_at_ms);
  CREATE INDEX entries_currency_time ON entries (currency, created_at_ms);
  CREATE INDEX entries_type_time ON entries (type, created_at_ms);
  CREATE INDEX entries_time ON entries (created_at_ms);
  CREATE TABLE holds (
    id TEXT PRIMARY KEY,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    captured_amount INTEGER NOT NULL DEFAULT 0 CHECK (captured_amount >= 0 AND captured_amount <= amount),
    status TEXT NOT NULL CHECK (status IN ('active', 'captured', 'released', 'expired')),
    reference TEXT,
    description TEXT,
    expires_at_ms INTEGER,
    created_at_ms INTEGER NOT NULL,
    resolved_at_ms INTEGER
  );
  CREATE INDEX holds_status_expiry ON holds (status, expires_at_ms);
  CREATE TABLE operations (operation_id TEXT PRIMARY KEY, result TEXT NOT NULL, created_at_ms INTEGER NOT NULL);
  CREATE TABLE outbox (
    operation_id TEXT PRIMARY KEY,
    target_wallet_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('transfer', 'settlement', 'commission')),
    entry_type TEXT NOT NULL CHECK (entry_type IN ('credit', 'refund')),
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    description TEXT,
    reference TEXT,
    merchant_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    sent_at_ms INTEGER
  );
  CREATE INDEX outbox_status_due ON outbox (status, next_attempt_at_ms);
  -- On the platform revenue wallet: commission received, per merchant, for per-merchant audits.
  CREATE TABLE commission_received (
    merchant_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, currency)
  );
  `,
  `
  -- The held = sum(active holds) assertion after every hold mutation reads only this index.
  CREATE INDEX holds_status_currency_amount ON holds (status, currency, amount);
  `,
  `
  -- An operation remembers what it did (its fingerprint), so its id reused for another request is
  -- refused; a request that must await another object is 'running' until it records its answer.
  ALTER TABLE operations ADD COLUMN fingerprint TEXT;
  ALTER TABLE operations ADD COLUMN state TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('running', 'done'));
  ALTER TABLE operations ADD COLUMN locked_until_ms INTEGER;
  -- Credits from other wallets, deduplicated per source: two wallets' operation ids never collide here.
  CREATE TABLE received (
    source_wallet_id TEXT NOT NULL,
    operation_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (source_wallet_id, operation_id)
  ) WITHOUT ROWID;
  -- Transfers sent from this wallet; their status is their outbox row's.
  CREATE TABLE transfers (
    id TEXT PRIMARY KEY,
    credit_operation_id TEXT NOT NULL,
    to_wallet_id TEXT NOT NULL,
    from_user_id TEXT,
    to_user_id TEXT,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    description TEXT,
    reference TEXT,
    created_at_ms INTEGER NOT NULL
  );
  ALTER TABLE holds ADD COLUMN user_id TEXT;
  ALTER TABLE holds ADD COLUMN commission_amount INTEGER;
  ALTER TABLE holds ADD COLUMN net_amount INTEGER;
  -- held = the sum of active holds, kept as a running total so every write checks it in O(1);
  -- the audit re-counts the holds in full.
  ALTER TABLE balances ADD COLUMN active_holds INTEGER NOT NULL DEFAULT 0 CHECK (active_holds >= 0);
  UPDATE balances SET active_holds =
    (SELECT coalesce(sum(amount), 0) FROM holds WHERE holds.status = 'active' AND holds.currency = balances.currency);
  -- On a settlement wallet: the merchant's money in the system per currency, bounded by the
  -- currency's max_issued_minor where it enters (top-ups, card captures).
  CREATE TABLE issuance (currency TEXT PRIMARY KEY, issued INTEGER NOT NULL DEFAULT 0 CHECK (issued >= 0));
  -- Commission now lands in a per-merchant share of the platform's revenue, whose balance is the tally.
  DROP TABLE commission_received;
  `,
  `
  -- A hold placed for a payment belongs to it: only the payment may capture or release it, and
  -- its entries name the payment.
  ALTER TABLE holds ADD COLUMN payment_id TEXT;
  `,
  `
  -- Entries per currency and type, kept by the balance upsert every entry already does (no extra
  -- statement): the transactions list's total without a time range is then O(1), whatever the history.
  ALTER TABLE balances ADD COLUMN entries_credit INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE balances ADD COLUMN entries_debit INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE balances ADD COLUMN entries_hold INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE balances ADD COLUMN entries_release INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE balances ADD COLUMN entries_refund INTEGER NOT NULL DEFAULT 0;
  UPDATE balances SET
    entries_credit = (SELECT count(*) FROM entries WHERE entries.currency = balances.currency AND type = 'credit'),
    entries_debit = (SELECT count(*) FROM entries WHERE entries.currency = balances.currency AND type = 'debit'),
    entries_hold = (SELECT count(*) FROM entries WHERE entries.currency = balances.currency AND type = 'hold'),
    entries_release = (SELECT count(*) FROM entries WHERE entries.currency = balances.currency AND type = 'release'),
    entries_refund = (SELECT count(*) FROM entries WHERE entries.currency = balances.currency AND type = 'refund');
  `,
  `
  -- Events of the wallet's holds and transfers, written with the change, forwarded to the webhooks
  -- queue (objects/event-outbox.ts).
  ${EVENT_OUTBOX_SCHEMA}
  CREATE INDEX transfers_credit ON transfers (credit_operation_id);
  `,
  `
  -- The request that made a transfer, so its completion event (written when the credit lands,
  -- outside any request) names it as every other event names its cause.
  ALTER TABLE transfers ADD COLUMN request_id TEXT;
  ALTER TABLE transfers ADD COLUMN idempotency_key TEXT;
  `,
  `
  -- What a user's wallet has used of its KYC level's daily limits, per Baghdad day (wallet/limits.ts).
  CREATE TABLE limit_usage (
    day TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('top_up', 'payout')),
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (day, kind, currency)
  );
  `,
];
