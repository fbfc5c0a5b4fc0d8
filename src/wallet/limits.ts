import { assert } from "../domain/assert";
import { baghdadDay } from "../domain/clock";
import { CURRENCIES, type Currency } from "../domain/currencies";
import { KYC_LEVELS, type KycLevel, type KycLimits, type LimitName } from "../domain/kyc";
import { refusal } from "../domain/outcome";
import type { LedgerStore } from "./ledger-store";
import type { AllowanceRequest, GiveBackRequest, WalletRefusal } from "./requests";

/** What counts against a daily limit. */
export type LimitKind = "top_up" | "payout";
const DAILY: Record<LimitKind, LimitName> = { top_up: "max_top_up_per_day", payout: "max_payout_per_day" };
const WHAT: Record<LimitKind, string> = { top_up: "top-ups", payout: "payouts" };

/**
 * A user's wallet's KYC level (kept in its meta, set by user sync) and what it has used of its
 * daily limits, by Baghdad day of the merchant's clock; the only code that knows `limit_usage`.
 * Checks and counting run in the transaction of the move they limit.
 */
export class WalletLimits {
  constructor(
    private readonly sql: SqlStorage,
    private readonly ledger: LedgerStore,
  ) {}

  level(): KycLevel {
    const stored = this.ledger.getMeta("kyc_level");
    return KYC_LEVELS.find((level) => level === stored) ?? "none";
  }

  setLevel(level: KycLevel): { ok: true } {
    if (this.level() !== level) this.ledger.setMeta("kyc_level", level);
    return { ok: true };
  }

  /**
   * Takes `amount` of today's allowance for `kind`, or refuses: past the level's daily limit, or for
   * a top-up past its balance limit. Money that arrives by other ways (a transfer, a refund, a
   * returned payout) is never refused: it lands, and the wallet shows it is over its limit.
   */
  take(kind: LimitKind, currency: Currency, amount: number, limits: KycLimits, now_ms: number): WalletRefusal | null {
    const over = this.check(kind, currency, amount, limits, now_ms);
    if (over) return over;
    this.count(baghdadDay(now_ms), kind, currency, amount);
    return null;
  }

  /** Whether `amount` fits today's allowance for `kind` (and for a top-up, the balance limit), without taking it. */
  check(kind: LimitKind, currency: Currency, amount: number, limits: KycLimits, now_ms: number): WalletRefusal | null {
    const level = this.level();
    const rule = limits[level][currency];
    const day = baghdadDay(now_ms);
    const daily = rule[DAILY[kind]];
    const used = this.used(day, kind, currency);
    if (daily !== null && used + amount > daily) {
      const left = Math.max(0, daily - used);
      const why =
        daily === 0 ? `KYC level ${level} allows no ${WHAT[kind]}` : `${DAILY[kind]} for KYC level ${level} is ${shown(daily, currency)}`;
      return refusal("limit_exceeded", `Refused: ${why}; ${shown(left, currency)} remains today (Baghdad time).`, "amount");
    }
    if (kind === "top_up" && rule.max_balance !== null) {
      const { available, held } = this.ledger.balance(currency);
      if (available + held + amount > rule.max_balance) {
        const room = Math.max(0, rule.max_balance - available - held);
        const limit = `max_balance for KYC level ${level} is ${shown(rule.max_balance, currency)}`;
        return refusal("limit_exceeded", `Refused: ${limit}; the wallet has room for ${shown(room, currency)}.`, "amount");
      }
    }
    return null;
  }

  checkTopUp(request: AllowanceRequest, now_ms: number): WalletRefusal | { ok: true } {
    return this.check("top_up", request.currency, request.amount, request.kyc_limits, now_ms) ?? { ok: true };
  }

  /** Takes a card top-up's share of today's allowance; its answer says when, so a give-back finds the day. */
  takeTopUp(request: AllowanceRequest, now_ms: number): WalletRefusal | { ok: true; taken_at_ms: number } {
    return this.take("top_up", request.currency, request.amount, request.kyc_limits, now_ms) ?? { ok: true, taken_at_ms: now_ms };
  }

  giveBackTopUp(request: GiveBackRequest): { ok: true } {
    this.giveBack("top_up", request.currency, request.amount, request.taken_at_ms);
    return { ok: true };
  }

  /** Gives back what a move took of the allowance of the day it was taken (a payout that failed or was canceled). */
  giveBack(kind: LimitKind, currency: Currency, amount: number, taken_at_ms: number): void {
    const day = baghdadDay(taken_at_ms);
    // An UPDATE, not the upsert: SQLite checks `amount >= 0` on an upsert's candidate row before it finds the conflict.
    const given = this.sql.exec(
      "UPDATE limit_usage SET amount = amount - ? WHERE day = ? AND kind = ? AND currency = ? RETURNING amount",
      amount,
      day,
      kind,
      currency,
    );
    assert(given.toArray().length === 1, `gave back ${amount} ${currency} of ${kind} on ${day}, which took none`);
  }

  used(day: string, kind: LimitKind, currency: Currency): number {
    const row = this.sql.exec<{ amount: number }>(
      "SELECT amount FROM limit_usage WHERE day = ? AND kind = ? AND currency = ?",
      day,
      kind,
      currency,
    );
    return row.toArray()[0]?.amount ?? 0;
  }

  private count(day: string, kind: LimitKind, currency: Currency, amount: number): void {
    this.sql.exec(
      "INSERT INTO limit_usage (day, kind, currency, amount) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (day, kind, currency) DO UPDATE SET amount = amount + excluded.amount",
      day,
      kind,
      currency,
      amount,
    );
  }
}

/** An amount in minor units with its currency, as the API's messages say it. */
function shown(amount_minor: number, currency: Currency): string {
  return `${amount_minor} ${currency}${CURRENCIES[currency].exponent > 0 ? " (minor units)" : ""}`;
}
