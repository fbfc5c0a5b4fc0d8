import type { Lang } from "./i18n";

/**
 * The states the dashboard shows (a payment's, a refund's, a payout's, a delivery's, a ledger
 * entry's type, a payment method, a payout's destination, a KYC level) in words: the API's values
 * are its contract and stay as they are in the API;
 * a page says them in the reader's language. A value without words here is shown as it is.
 */
const ARABIC: Record<string, string> = {
  authorized: "مفوَّضة",
  captured: "محصَّلة",
  partially_refunded: "مستردة جزئيًا",
  refunded: "مستردة",
  voided: "ملغاة",
  expired: "منتهية",
  pending: "قيد التنفيذ",
  succeeded: "نجحت",
  failed: "فشلت",
  retrying: "ستُعاد المحاولة",
  skipped: "تُخطّيت",
  dead_lettered: "توقفت المحاولات",
  credit: "إيداع",
  debit: "خصم",
  hold: "حجز",
  release: "فك حجز",
  refund: "استرداد",
  wallet: "المحفظة",
  card: "بطاقة",
  in_transit: "قيد التحويل",
  paid: "مدفوعة",
  canceled: "أُلغيت",
  returned: "مُرتجعة",
  bank_account: "حساب مصرفي",
  zaincash: "زين كاش",
  fastpay: "فاست باي",
  qicard: "كي كارد",
  account_closed: "الحساب مغلق",
  invalid_account: "لا يوجد حساب بهذه الوجهة",
  insufficient_rail_balance: "تعذّر على قناة الدفع تمويل السحب",
  none: "لا شيء",
  basic: "أساسي",
  full: "كامل",
};

/** Names English writes its own way: the mobile wallets' brands. */
const ENGLISH: Record<string, string> = { zaincash: "ZainCash", fastpay: "FastPay", qicard: "Qi Card" };

export function statusWords(value: string, lang: Lang): string {
  return (lang === "ar" ? ARABIC[value] : ENGLISH[value]) ?? value.replace(/_/g, " ");
}
