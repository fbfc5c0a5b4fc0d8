import { Hono } from "hono";
import { database } from "../db/client";
import { dailyVolume, paymentCountsByStatus } from "../db/dashboard";
import { CURRENCY_CODES, type Currency } from "../domain/currencies";
import { unwrap } from "../domain/outcome";
import { auditLedger } from "../services/audit";
import { walletCall, walletStub } from "../services/wallets";
import type { DashEnv } from "./context";
import { pageProps, render } from "./layout";
import type { DayVolume } from "./pages/chart";
import { HomePage } from "./pages/home";

/** The merchant's home: 30 days of volume, payments by status, the audit per currency, the settlement balance. */
export const homeRoutes = new Hono<DashEnv>();

const DAY_MS = 24 * 3600 * 1000;
const DAYS = 30;

homeRoutes.get("/", async (c) => {
  const { caller } = c.get("scope");
  const db = database(c.env.DB);
  const clock = c.get("clock");
  const today_ms = Math.floor(clock.now_ms() / DAY_MS) * DAY_MS;
  const since_ms = today_ms - (DAYS - 1) * DAY_MS;
  const [rows, counts, audits, balances] = await Promise.all([
    dailyVolume(db, caller, since_ms),
    paymentCountsByStatus(db, caller),
    Promise.all(CURRENCY_CODES.map((currency) => auditLedger(c.env, db, caller, currency, clock))),
    walletStub(c.env, caller.settlement_wallet_id).balances(walletCall(caller.settlement_wallet_id, clock, caller, "registry")),
  ]);
  const currencies = [...new Set(rows.map((r) => r.currency as Currency))];
  const volumes = currencies.map((currency) => {
    const days: DayVolume[] = Array.from({ length: DAYS }, (_, i) => {
      const day = new Date(since_ms + i * DAY_MS).toISOString().slice(0, 10);
      const row = rows.find((r) => r.day === day && r.currency === currency);
      return { day, captured: Number(row?.captured ?? 0), refunded: Number(row?.refunded ?? 0) };
    });
    return { currency, days };
  });
  const settlement = unwrap(balances, { what: "wallet", param: "id" }).balances.map((b) => ({
    currency: b.currency as Currency,
    available: b.available,
  }));
  return render(c, <HomePage p={pageProps(c, "home")} data={{ volumes, counts, audits, settlement }} />);
});
