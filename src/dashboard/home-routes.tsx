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
import { baghdadDays } from "./days";
import { TIME_ZONE_OFFSET_MS } from "./i18n";

/** The merchant's home: 30 days of volume, payments by status, the audit per currency, the settlement balance. */
export const homeRoutes = new Hono<DashEnv>();

const DAYS = 30;

homeRoutes.get("/", async (c) => {
  const { caller } = c.get("scope");
  const db = database(c.env.DB);
  const clock = c.get("clock");
  // Days run midnight to midnight in Baghdad, as every time the dashboard shows.
  const days = baghdadDays(clock.now_ms(), DAYS);
  const since_ms = days[0]!.start_ms;
  const [rows, counts, audits, balances] = await Promise.all([
    dailyVolume(db, caller, since_ms, TIME_ZONE_OFFSET_MS),
    paymentCountsByStatus(db, caller),
    Promise.all(CURRENCY_CODES.map((currency) => auditLedger(c.env, db, caller, currency, clock))),
    walletStub(c.env, caller.settlement_wallet_id).balances(walletCall(caller.settlement_wallet_id, clock, caller, "registry")),
  ]);
  const currencies = [...new Set(rows.map((r) => r.currency as Currency))];
  const volumes = currencies.map((currency) => {
    const volume: DayVolume[] = days.map(({ day }) => {
      const row = rows.find((r) => r.day === day && r.currency === currency);
      return { day, captured: Number(row?.captured ?? 0), refunded: Number(row?.refunded ?? 0) };
    });
    return { currency, days: volume };
  });
  const settlement = unwrap(balances, { what: "wallet", param: "id" }).balances.map((b) => ({
    currency: b.currency as Currency,
    available: b.available,
  }));
  return render(c, <HomePage p={pageProps(c, "home")} data={{ volumes, counts, audits, settlement }} />);
});
