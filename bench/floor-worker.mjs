// The floors the app is measured against, served by the same Miniflare process as the app.
// Plain module syntax, no framework, no auth, no validation: what is left is the cost of the
// runtime, one Durable Object call and the storage work itself.
//
//   POST /hold?w=<wallet>            (a) a hold: one SQLite transaction in one object
//   POST /release/<hold id>?w=<wallet>    and its release
//   POST /d1                         (b) one D1 insert
//   GET  /json                       (c) a small JSON answer
import { DurableObject } from "cloudflare:workers";

// The same tables and indexes a wallet writes on a hold (src/wallet/migrations.ts), so the floor
// pays the same index maintenance: the ratio then measures the app's code paths, not its schema.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS balances (
    currency TEXT PRIMARY KEY,
    available INTEGER NOT NULL DEFAULT 0 CHECK (available >= 0),
    held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0)
  );
  CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    balance_after INTEGER NOT NULL,
    held_after INTEGER NOT NULL,
    reference TEXT,
    created_at_ms INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS entries_currency_type_time ON entries (currency, type, created_at_ms);
  CREATE INDEX IF NOT EXISTS entries_currency_time ON entries (currency, created_at_ms);
  CREATE INDEX IF NOT EXISTS entries_type_time ON entries (type, created_at_ms);
  CREATE INDEX IF NOT EXISTS entries_time ON entries (created_at_ms);
  CREATE TABLE IF NOT EXISTS holds (
    id TEXT PRIMARY KEY,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    status TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    resolved_at_ms INTEGER
  );
  CREATE INDEX IF NOT EXISTS holds_status_currency_amount ON holds (status, currency, amount);
`;

/** Enough for any benchmark: the floor must never refuse for lack of funds. */
const OPENING_BALANCE = 1e15;

export class FloorWallet extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
    this.sql.exec("INSERT OR IGNORE INTO balances (currency, available) VALUES ('IQD', ?)", OPENING_BALANCE);
  }

  /** Read the balance, check it, insert the hold, move available to held, write the entry. */
  hold(amount) {
    return this.ctx.storage.transactionSync(() => {
      const balance = this.sql.exec("SELECT available, held FROM balances WHERE currency = 'IQD'").one();
      if (balance.available < amount) return { ok: false };
      const id = `hld_${crypto.randomUUID()}`;
      const now = Date.now();
      this.sql.exec("INSERT INTO holds (id, currency, amount, status, created_at_ms) VALUES (?, 'IQD', ?, 'active', ?)", id, amount, now);
      this.sql.exec("UPDATE balances SET available = available - ?, held = held + ? WHERE currency = 'IQD'", amount, amount);
      this.sql.exec(
        "INSERT INTO entries (id, type, currency, amount, balance_after, held_after, reference, created_at_ms) " +
          "VALUES (?, 'hold', 'IQD', ?, ?, ?, ?, ?)",
        crypto.randomUUID(),
        amount,
        balance.available - amount,
        balance.held + amount,
        id,
        now,
      );
      return { ok: true, id };
    });
  }

  /** The mirror image: read the hold, mark it released, move held back, write the entry. */
  release(id) {
    return this.ctx.storage.transactionSync(() => {
      const hold = this.sql.exec("SELECT amount, status FROM holds WHERE id = ?", id).toArray()[0];
      if (!hold || hold.status !== "active") return { ok: false };
      const now = Date.now();
      const balance = this.sql.exec("SELECT available, held FROM balances WHERE currency = 'IQD'").one();
      this.sql.exec("UPDATE holds SET status = 'released', resolved_at_ms = ? WHERE id = ?", now, id);
      this.sql.exec("UPDATE balances SET available = available + ?, held = held - ? WHERE currency = 'IQD'", hold.amount, hold.amount);
      this.sql.exec(
        "INSERT INTO entries (id, type, currency, amount, balance_after, held_after, reference, created_at_ms) " +
          "VALUES (?, 'release', 'IQD', ?, ?, ?, ?, ?)",
        crypto.randomUUID(),
        hold.amount,
        balance.available + hold.amount,
        balance.held - hold.amount,
        id,
        now,
      );
      return { ok: true, id };
    });
  }
}

function wallet(env, url) {
  const name = url.searchParams.get("w") ?? "hot";
  return env.FLOOR_WALLET.get(env.FLOOR_WALLET.idFromName(name));
}

function answer(result, status) {
  return result.ok ? Response.json({ data: { id: result.id } }, { status }) : Response.json({ error: "refused" }, { status: 422 });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/json") return Response.json({ status: "ok" });
    if (request.method === "POST" && url.pathname === "/hold") return answer(await wallet(env, url).hold(1), 201);
    if (request.method === "POST" && url.pathname.startsWith("/release/")) {
      return answer(await wallet(env, url).release(url.pathname.slice("/release/".length)), 200);
    }
    if (request.method === "POST" && url.pathname === "/d1") {
      await env.FLOOR_DB.prepare("INSERT INTO floor_rows (id, amount, created_at_ms) VALUES (?, ?, ?)")
        .bind(crypto.randomUUID(), 1, Date.now())
        .run();
      return Response.json({ ok: true }, { status: 201 });
    }
    return new Response("not found", { status: 404 });
  },
};
