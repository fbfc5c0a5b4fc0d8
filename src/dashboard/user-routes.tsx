import { createHash } from "node:crypto";
import { Hono } from "hono";
import { database } from "../db/client";
import { listUsers } from "../db/dashboard";
import { findUser } from "../db/users";
import { CURRENCY_CODES, type Currency } from "../domain/currencies";
import { notFound } from "../domain/errors";
import { ENTRY_TYPES, verifyChain, type EntryType } from "../domain/ledger";
import { unwrap } from "../domain/outcome";
import { walletCall, walletStub } from "../services/wallets";
import type { DashEnv } from "./context";
import { pageProps, render, type Problem } from "./layout";
import { UserPage, UsersPage, type ChainStatus } from "./pages/users";

/** Synced users and their wallets: balances, transactions with filters, the hash chain verified. */
export const userRoutes = new Hono<DashEnv>();

const PER_PAGE = 20;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** The dashboard re-verifies at most this many entries per view; longer histories are for the API's chain route and offline checks. */
const CHAIN_CHECK_LIMIT = 5_000;
const USER = { what: "user", param: "id" };

const pageOf = (text: string | undefined) => Math.min(Math.max(1, Number.parseInt(text ?? "1", 10) || 1), 100_000);

userRoutes.get("/users", async (c) => {
  const search = (c.req.query("q") ?? "").trim().slice(0, 128);
  const page = pageOf(c.req.query("page"));
  const result = await listUsers(database(c.env.DB), c.get("scope").caller, search || undefined, PER_PAGE, (page - 1) * PER_PAGE);
  return render(c, <UsersPage p={pageProps(c, "users")} {...result} page={page} per_page={PER_PAGE} url={c.req.url} search={search} />);
});

userRoutes.get("/users/:id", async (c) => {
  const { caller } = c.get("scope");
  const clock = c.get("clock");
  const user = await findUser(database(c.env.DB), caller.merchant_id, caller.mode, c.req.param("id").slice(0, 128));
  if (!user) throw notFound("user");
  const q = c.req.query();
  const t = c.get("t");
  const filters = { currency: q.currency ?? "", type: q.type ?? "", from: q.from ?? "", to: q.to ?? "" };
  let problem: Problem | undefined;
  if (filters.currency && !(CURRENCY_CODES as readonly string[]).includes(filters.currency))
    problem = { message: t("invalid_input"), param: "currency" };
  else if (filters.type && !(ENTRY_TYPES as readonly string[]).includes(filters.type))
    problem = { message: t("invalid_input"), param: "type" };
  else if (filters.from && !DAY.test(filters.from)) problem = { message: t("invalid_input"), param: "from" };
  else if (filters.to && !DAY.test(filters.to)) problem = { message: t("invalid_input"), param: "to" };
  const page = pageOf(q.page);
  const stub = walletStub(c.env, user.wallet_id);
  const call = walletCall(user.wallet_id, clock, caller, "registry");
  const { balances } = unwrap(await stub.balances(call), USER);
  const listed = problem
    ? { entries: [], total: 0 }
    : unwrap(
        await stub.listEntries(
          call,
          {
            currency: (filters.currency || undefined) as Currency | undefined,
            type: (filters.type || undefined) as EntryType | undefined,
            from_ms: filters.from ? Date.parse(`${filters.from}T00:00:00Z`) : undefined,
            to_ms: filters.to ? Date.parse(`${filters.to}T23:59:59.999Z`) : undefined,
          },
          PER_PAGE,
          (page - 1) * PER_PAGE,
        ),
        USER,
      );
  const chain = await verifyWallet(stub, call, user.wallet_id);
  const node = (
    <UserPage
      p={pageProps(c, "users")}
      user={user}
      balances={balances}
      entries={listed.entries}
      total={listed.total}
      page={page}
      per_page={PER_PAGE}
      url={c.req.url}
      filters={filters}
      chain={chain}
      problem={problem}
    />
  );
  return render(c, node, problem ? 422 : 200);
});

/** Reads the chain from seq 1 and re-computes every hash and balance move (domain/ledger.ts, verifyChain). */
async function verifyWallet(
  stub: ReturnType<typeof walletStub>,
  call: ReturnType<typeof walletCall>,
  wallet_id: string,
): Promise<ChainStatus> {
  const entries = [];
  let after_seq = 0;
  let last_seq = 0;
  do {
    const page = unwrap(await stub.chain(call, after_seq, 1000), USER);
    last_seq = page.last_seq;
    entries.push(...page.entries.map((e) => ({ ...e, wallet_id })));
    after_seq = entries.at(-1)?.seq ?? last_seq;
    if (page.entries.length === 0) break;
  } while (after_seq < last_seq && entries.length < CHAIN_CHECK_LIMIT);
  const verdict = verifyChain(entries, (text) => createHash("sha256").update(text).digest("hex"));
  if (!verdict.ok) return { ok: false, seq: verdict.seq, reason: verdict.reason };
  return { ok: true, entries: entries.length, complete: entries.length >= last_seq };
}
