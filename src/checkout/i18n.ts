import type { CardProblem } from "../domain/card-simulator";
import type { CheckoutLocale } from "../domain/checkout-machine";

/**
 * Every word the hosted checkout shows, in Arabic and English: one table per language, both typed
 * `Messages`, so a key missing from either is a compile error. Values that take a figure are
 * functions; the figures come already formatted for the language (format.ts). The API's own error
 * messages stay English (codes are the contract); the page translates by code, never by message.
 */

export const LOCALES = ["ar", "en"] as const;
export type Locale = (typeof LOCALES)[number];

/** The BCP 47 tag Intl formats with: Iraqi Arabic (Arabic-Indic digits, the dinar as د.ع.), and English. */
export const INTL_TAG: Record<Locale, string> = { ar: "ar-IQ", en: "en-US" };
export const DIRECTION: Record<Locale, "rtl" | "ltr"> = { ar: "rtl", en: "ltr" };

/**
 * A merchant's name inside a sentence, bidi-isolated (FSI … PDI): a Latin name in an Arabic sentence
 * (or the reverse) keeps its own order and leaves the sentence's alone.
 */
const name = (merchant: string): string => `\u2068${merchant}\u2069`;

/** The sandbox test card, kept left to right and on one line in either language. */
const TEST_CARD = "\u20664242\u00a04242\u00a04242\u00a04242\u2069";

export type ClosedStatus = "authorized" | "canceled" | "expired" | "failed";
export type ResultStatus = "authorized" | "canceled" | "failed";

export interface Messages {
  language_name: string;
  switch_language: string;
  page_title: (merchant: string) => string;
  sandbox_badge: string;
  expires: string;
  /** A wallet top-up's breakdown: what the wallet receives, and the fee when the buyer pays it on top. */
  top_up_amount: (amount: string) => string;
  top_up_fee: (fee: string) => string;
  merchant_site: string;
  merchant_logo: (merchant: string) => string;
  secured_by: string;
  // Pages without a checkout.
  busy_title: string;
  busy_message: string;
  error_title: string;
  error_message: (reference: string) => string;
  not_found_title: string;
  not_found_message: string;
  invalid_link_title: string;
  invalid_link_message: string;
  foreign_form_title: string;
  foreign_form_message: string;
  // The end of a checkout.
  result_title: Record<ResultStatus, string>;
  returning_to: (merchant: string) => string;
  continue_to: (merchant: string) => string;
  closed_title: Record<ClosedStatus, string>;
  closed_message: Record<ClosedStatus, (merchant: string) => string>;
  return_to: (merchant: string) => string;
  // Paying.
  pay: (amount: string) => string;
  cancel_and_return: (merchant: string) => string;
  decline_code: (code: string) => string;
  attempts_left: (count: number) => string;
  wallet_heading: string;
  account: string;
  account_masked_note: string;
  otp_label: string;
  otp_hint: string;
  otp_missing: string;
  insufficient_funds: (available: string, amount: string) => string;
  insufficient_funds_unknown: (amount: string) => string;
  card_heading: string;
  card_sandbox_hint: string;
  card_number: string;
  card_name: string;
  card_expiry: string;
  card_expiry_placeholder: string;
  card_cvc: string;
  card_name_too_long: string;
  card_problem: Record<CardProblem, string>;
  /** Issuer decline codes (51, 54, N7, 05) and the wallet's (invalid_otp, insufficient_funds). */
  declined: Record<"51" | "54" | "N7" | "05" | "invalid_otp", string>;
  declined_other: string;
  live_title: Record<"card" | "wallet", string>;
  live_message: Record<"card" | "wallet", string>;
  refused: Record<
    "attempt_in_progress" | "too_many_attempts" | "checkout_not_open" | "payment_already_completed" | "limit_exceeded",
    string
  >;
  refused_other: string;
}

const en: Messages = {
  language_name: "English",
  switch_language: "Language",
  page_title: (merchant) => `Pay ${merchant}`,
  sandbox_badge: "Sandbox: no real money moves",
  expires: "Expires",
  top_up_amount: (amount) => `Wallet top-up: ${amount}`,
  top_up_fee: (fee) => `Fee: ${fee}`,
  merchant_site: "Website",
  merchant_logo: (merchant) => `${merchant} logo`,
  secured_by: "Secured by Mazad Wallet",
  busy_title: "The checkout is busy",
  busy_message: "Too many payments are being made at once. Please try again in a moment.",
  error_title: "Something went wrong",
  error_message: (reference) => `The checkout could not answer just now. Please try again in a moment. (Reference ${reference})`,
  not_found_title: "Checkout not found",
  not_found_message: "This payment link does not lead to a checkout. Check the link, or go back to the shop and start the payment again.",
  invalid_link_title: "This payment link is not valid",
  invalid_link_message: "The link is incomplete or wrong. Go back to the shop and start the payment again.",
  foreign_form_title: "This payment was not sent from the checkout page",
  foreign_form_message:
    "For your safety, payments are only accepted from the checkout page itself. Go back to the shop and start the payment again.",
  result_title: { authorized: "Payment authorized", canceled: "Payment canceled", failed: "Payment not completed" },
  returning_to: (merchant) => `Returning you to ${name(merchant)}…`,
  continue_to: (merchant) => `Continue to ${name(merchant)}`,
  closed_title: {
    authorized: "This payment is complete",
    canceled: "This payment was canceled",
    expired: "This payment link has expired",
    failed: "This payment could not be completed",
  },
  closed_message: {
    authorized: (merchant) => `You have already paid. ${name(merchant)} has your payment.`,
    canceled: (merchant) => `Nothing was charged. To buy, go back to ${name(merchant)} and start the payment again.`,
    expired: (merchant) => `The time to pay ran out and nothing was charged. Go back to ${name(merchant)} to start again.`,
    failed: (merchant) => `Too many attempts were declined and nothing was charged. Go back to ${name(merchant)} to try again.`,
  },
  return_to: (merchant) => `Return to ${name(merchant)}`,
  pay: (amount) => `Pay ${amount}`,
  cancel_and_return: (merchant) => `Cancel and return to ${name(merchant)}`,
  decline_code: (code) => `Decline code ${code}`,
  attempts_left: (count) => `${count} ${count === 1 ? "attempt" : "attempts"} left`,
  wallet_heading: "Pay from your Mazad wallet",
  account: "Account",
  account_masked_note: "Your full name and balance are shown only after you confirm.",
  otp_label: "Confirmation code",
  otp_hint: "Enter the one-time code we sent you. In sandbox the code is always 123456.",
  otp_missing: "Enter the 6-digit confirmation code.",
  insufficient_funds: (available, amount) =>
    `Your wallet has ${available} available, less than this payment of ${amount}. Add funds to your wallet, then pay.`,
  insufficient_funds_unknown: (amount) =>
    `Your wallet does not have ${amount} available for this payment. Add funds to your wallet, then pay.`,
  card_heading: "Pay by card",
  card_sandbox_hint: `Sandbox test card: ${TEST_CARD}, any future expiry, any 3-digit CVV.`,
  card_number: "Card number",
  card_name: "Name on card",
  card_expiry: "Expiry (MM/YY)",
  card_expiry_placeholder: "MM/YY",
  card_cvc: "CVV",
  card_name_too_long: "The name on the card is at most 100 characters.",
  card_problem: {
    invalid_number: "The card number is not valid; check the digits.",
    invalid_expiry: "The expiry date is not valid; use MM/YY.",
    expired_card: "The card has expired; use another card.",
    invalid_cvc: "The security code (CVV) is not valid.",
    invalid_name: "Enter the name on the card.",
  },
  declined: {
    "51": "Your card has insufficient funds.",
    "54": "Your card has expired.",
    N7: "Your card's security code is incorrect.",
    "05": "Your card was declined. In sandbox, only the test cards are approved.",
    invalid_otp: "The confirmation code is not right. In sandbox it is always 123456.",
  },
  declined_other: "The payment was not authorized.",
  live_title: { card: "Card payments are not available yet", wallet: "Wallet payments are not available yet" },
  live_message: {
    card: "Live card payments need a card processor, which is not connected yet. No payment can be made on this page.",
    wallet: "Live wallet payments need a confirmation-code sender, which is not connected yet. No payment can be made on this page.",
  },
  refused: {
    attempt_in_progress: "A payment attempt is already under way. Wait a moment, then reload this page.",
    too_many_attempts: "Too many attempts were declined. No more attempts can be made.",
    checkout_not_open: "This checkout can no longer be paid.",
    payment_already_completed: "This checkout has already been paid.",
    limit_exceeded: "This top-up is more than your wallet may receive today. Try a smaller amount, or another day.",
  },
  refused_other: "The payment could not be made. Please try again.",
};

const ar: Messages = {
  language_name: "العربية",
  switch_language: "اللغة",
  page_title: (merchant) => `الدفع إلى ${merchant}`,
  sandbox_badge: "بيئة تجريبية: لا تُنقل أموال حقيقية",
  expires: "ينتهي في",
  top_up_amount: (amount) => `شحن المحفظة: ${amount}`,
  top_up_fee: (fee) => `الرسوم: ${fee}`,
  merchant_site: "الموقع",
  merchant_logo: (merchant) => `شعار ${merchant}`,
  secured_by: "مؤمَّن بواسطة محفظة مزاد",
  busy_title: "صفحة الدفع مشغولة",
  busy_message: "تجري دفعات كثيرة في الوقت نفسه. يُرجى المحاولة مرة أخرى بعد لحظات.",
  error_title: "حدث خطأ ما",
  error_message: (reference) => `تعذّر على صفحة الدفع الاستجابة الآن. يُرجى المحاولة مرة أخرى بعد لحظات. (المرجع ${reference})`,
  not_found_title: "لم يُعثر على عملية الدفع",
  not_found_message: "رابط الدفع هذا لا يؤدي إلى أي عملية دفع. تحقّق من الرابط، أو عُد إلى المتجر وابدأ الدفع من جديد.",
  invalid_link_title: "رابط الدفع هذا غير صالح",
  invalid_link_message: "الرابط ناقص أو خاطئ. عُد إلى المتجر وابدأ الدفع من جديد.",
  foreign_form_title: "لم تُرسل هذه الدفعة من صفحة الدفع",
  foreign_form_message: "حفاظًا على أمانك، لا تُقبل الدفعات إلا من صفحة الدفع نفسها. عُد إلى المتجر وابدأ الدفع من جديد.",
  result_title: { authorized: "تمت الموافقة على الدفع", canceled: "أُلغي الدفع", failed: "لم يكتمل الدفع" },
  returning_to: (merchant) => `جارٍ إعادتك إلى ${name(merchant)}…`,
  continue_to: (merchant) => `المتابعة إلى ${name(merchant)}`,
  closed_title: {
    authorized: "اكتمل هذا الدفع",
    canceled: "أُلغي هذا الدفع",
    expired: "انتهت صلاحية رابط الدفع هذا",
    failed: "تعذّر إكمال هذا الدفع",
  },
  closed_message: {
    authorized: (merchant) => `لقد دفعت بالفعل، ووصلت دفعتك إلى ${name(merchant)}.`,
    canceled: (merchant) => `لم يُخصم أي مبلغ. للشراء، عُد إلى ${name(merchant)} وابدأ الدفع من جديد.`,
    expired: (merchant) => `انتهى وقت الدفع ولم يُخصم أي مبلغ. عُد إلى ${name(merchant)} لتبدأ من جديد.`,
    failed: (merchant) => `رُفضت محاولات كثيرة ولم يُخصم أي مبلغ. عُد إلى ${name(merchant)} لتحاول مرة أخرى.`,
  },
  return_to: (merchant) => `العودة إلى ${name(merchant)}`,
  pay: (amount) => `ادفع ${amount}`,
  cancel_and_return: (merchant) => `إلغاء والعودة إلى ${name(merchant)}`,
  decline_code: (code) => `رمز الرفض ${code}`,
  attempts_left: (count) =>
    count === 0
      ? "لم تبقَ أي محاولة"
      : count === 1
        ? "بقيت محاولة واحدة"
        : count === 2
          ? "بقيت محاولتان"
          : `بقيت ${count.toLocaleString("ar-IQ")} محاولات`,
  wallet_heading: "ادفع من محفظة مزاد",
  account: "الحساب",
  account_masked_note: "لا يظهر اسمك الكامل ورصيدك إلا بعد التأكيد.",
  otp_label: "رمز التأكيد",
  otp_hint: "أدخل الرمز الذي أرسلناه إليك لمرة واحدة. في البيئة التجريبية يكون الرمز دائمًا 123456.",
  otp_missing: "أدخل رمز التأكيد المكوّن من 6 أرقام.",
  // The dinar's symbol ends in a period (د.ع.): the figures close the message, with no period after them.
  insufficient_funds: (available, amount) =>
    `لا يكفي رصيدك لهذه الدفعة. أضف رصيدًا إلى محفظتك ثم ادفع. المتاح في محفظتك: ${available} — مبلغ الدفعة: ${amount}`,
  insufficient_funds_unknown: (amount) => `لا يتوفر في محفظتك مبلغ ${amount} لهذه الدفعة. أضف رصيدًا إلى محفظتك ثم ادفع.`,
  card_heading: "الدفع بالبطاقة",
  card_sandbox_hint: `بطاقة الاختبار في البيئة التجريبية: ${TEST_CARD}، بأي تاريخ انتهاء مستقبلي وأي رمز أمان من 3 أرقام.`,
  card_number: "رقم البطاقة",
  card_name: "الاسم على البطاقة",
  card_expiry: "تاريخ الانتهاء (شهر/سنة)",
  card_expiry_placeholder: "شهر/سنة",
  card_cvc: "رمز الأمان (CVV)",
  card_name_too_long: "الاسم على البطاقة 100 حرف على الأكثر.",
  card_problem: {
    invalid_number: "رقم البطاقة غير صالح؛ تحقّق من الأرقام.",
    invalid_expiry: "تاريخ الانتهاء غير صالح؛ اكتبه بالشكل شهر/سنة.",
    expired_card: "انتهت صلاحية البطاقة؛ استخدم بطاقة أخرى.",
    invalid_cvc: "رمز الأمان (CVV) غير صالح.",
    invalid_name: "أدخل الاسم المكتوب على البطاقة.",
  },
  declined: {
    "51": "لا يوجد رصيد كافٍ في بطاقتك.",
    "54": "انتهت صلاحية بطاقتك.",
    N7: "رمز الأمان لبطاقتك غير صحيح.",
    "05": "رُفضت بطاقتك. في البيئة التجريبية تُقبل بطاقات الاختبار فقط.",
    invalid_otp: "رمز التأكيد غير صحيح. في البيئة التجريبية يكون دائمًا 123456.",
  },
  declined_other: "لم تتم الموافقة على الدفع.",
  live_title: { card: "الدفع بالبطاقة غير متاح بعد", wallet: "الدفع من المحفظة غير متاح بعد" },
  live_message: {
    card: "يحتاج الدفع الفعلي بالبطاقة إلى معالج بطاقات لم يُربط بعد. لا يمكن إجراء أي دفعة في هذه الصفحة.",
    wallet: "يحتاج الدفع الفعلي من المحفظة إلى خدمة لإرسال رموز التأكيد لم تُربط بعد. لا يمكن إجراء أي دفعة في هذه الصفحة.",
  },
  refused: {
    attempt_in_progress: "هناك محاولة دفع جارية بالفعل. انتظر لحظة ثم أعد تحميل هذه الصفحة.",
    too_many_attempts: "رُفضت محاولات كثيرة. لا يمكن إجراء محاولات أخرى.",
    checkout_not_open: "لم يعد بالإمكان دفع عملية الدفع هذه.",
    payment_already_completed: "دُفعت عملية الدفع هذه بالفعل.",
    limit_exceeded: "مبلغ الشحن أكبر مما يمكن لمحفظتك استلامه اليوم. جرّب مبلغًا أصغر أو في يوم آخر.",
  },
  refused_other: "تعذّر إجراء الدفع. يُرجى المحاولة مرة أخرى.",
};

export const MESSAGES: Record<Locale, Messages> = { ar, en };

export function isLocale(value: unknown): value is Locale {
  return value === "ar" || value === "en";
}

/** Arabic for Iraq's buyers; a browser that asks for neither language gets English. */
export const FALLBACK_LOCALE: Locale = "en";

/**
 * The first of our languages an Accept-Language header asks for, by its q-values ("ar-IQ,ar;q=0.9,
 * en;q=0.8" → ar); null when it asks for neither.
 */
export function fromAcceptLanguage(header: string | null | undefined): Locale | null {
  if (!header) return null;
  const ranked = header
    .slice(0, 500)
    .split(",")
    .map((part, order) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { primary: tag.trim().toLowerCase().split("-")[0], q: q === undefined ? 1 : Number(q), order };
    })
    .filter((entry) => entry.q > 0 && Number.isFinite(entry.q))
    .sort((a, b) => b.q - a.q || a.order - b.order);
  return ranked.map((entry) => entry.primary).find(isLocale) ?? null;
}

/**
 * The page's language: the buyer's own choice on the page (`lang`, from the switch or a form's
 * hidden field) first, then the checkout's `locale`, then — for `auto` or no checkout at all — the
 * browser's Accept-Language.
 */
export function pickLocale(input: {
  requested?: string | null;
  checkout?: CheckoutLocale | null;
  accept_language?: string | null;
}): Locale {
  if (isLocale(input.requested)) return input.requested;
  if (isLocale(input.checkout)) return input.checkout;
  return fromAcceptLanguage(input.accept_language) ?? FALLBACK_LOCALE;
}
