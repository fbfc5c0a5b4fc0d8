import { BAGHDAD_OFFSET_MS } from "../domain/clock";
import { CURRENCIES, type Currency } from "../domain/currencies";

/**
 * The dashboard's words in English and Arabic, and how it writes money and dates. The language is a
 * cookie (`mzd_lang`) set by the switch in the header; Arabic pages are `lang="ar" dir="rtl"`.
 */
export const LANGS = ["en", "ar"] as const;
export type Lang = (typeof LANGS)[number];
export const LANG_COOKIE = "mzd_lang";

const EN = {
  app: "Mazad Wallet",
  dashboard: "Dashboard",
  skip: "Skip to content",
  nav: "Main",
  home: "Home",
  keys: "API keys",
  payments: "Payments",
  payouts: "Payouts",
  users: "Users and wallets",
  webhooks: "Webhooks",
  team: "Team",
  sign_up: "Sign up",
  log_in: "Log in",
  log_out: "Log out",
  email: "Email",
  password: "Password",
  password_hint: "10 to 128 characters, with a lowercase letter, an uppercase letter and a digit.",
  name: "Name",
  your_name: "Your name",
  have_account: "Already have an account?",
  no_account: "No account yet?",
  merchants: "Your merchants",
  new_merchant: "Create a merchant",
  merchant_name: "Business name",
  website: "Website (optional)",
  create: "Create",
  save: "Save",
  language: "العربية",
  language_label: "Language",
  mode: "Mode",
  sandbox: "Sandbox",
  live: "Live",
  switch_to: "Switch to {mode}",
  live_needs_admin: "Live mode needs an owner or admin.",
  viewer_cannot: "Your role ({role}) can only view this.",
  role_cannot: "Your role ({role}) cannot do this in {mode} mode.",
  members_need_admin: "Only owners and admins manage the team.",
  copy: "Copy",
  copied: "Copied",
  shown_once: "Shown once: copy it now and keep it safe. It cannot be shown again.",
  new_secrets: "Your new keys",
  key_type: "Type",
  key_secret: "Secret key",
  key_publishable: "Publishable key",
  key_signing: "Signing key",
  key: "Key",
  key_name: "Name (optional)",
  create_key: "Create key",
  revoke: "Revoke",
  revoked: "Revoked",
  active: "Active",
  created: "Created",
  status: "Status",
  amount: "Amount",
  currency: "Currency",
  date: "Date",
  from: "From",
  to: "To",
  all: "All",
  filter: "Filter",
  previous: "Previous",
  next: "Next",
  page_of: "Page {page} of {pages}",
  none_yet: "Nothing here yet.",
  method: "Method",
  captured: "Captured",
  refunded: "Refunded",
  net: "Net",
  commission: "Commission",
  merchant_amount: "Your share",
  capture: "Capture",
  void: "Void",
  refund: "Refund",
  reason: "Reason",
  amount_optional: "Amount (optional: the rest by default)",
  capture_before: "Capture before",
  refund_before: "Refund before",
  buyer: "Buyer",
  card: "Card",
  description: "Description",
  refunds: "Refunds",
  events: "Events",
  deliveries: "Webhook deliveries",
  event: "Event",
  type: "Type",
  attempt: "Attempt",
  outcome: "Outcome",
  latency: "Latency",
  next_retry: "Next retry",
  response: "Response",
  redeliver: "Send again",
  redelivered: "Queued for {n} endpoint(s).",
  user: "User",
  external_id: "External id",
  search: "Search",
  balances: "Balances",
  available: "Available",
  held: "Held",
  total: "Total",
  transactions: "Transactions",
  reference: "Reference",
  balance_after: "Balance after",
  chain: "Ledger chain",
  chain_ok: "Verified: {n} entries, every hash links",
  chain_broken: "Broken at entry {seq}: {reason}",
  chain_partial: "The first {n} entries verify; the chain is longer than the dashboard checks.",
  url: "URL",
  event_types: "Events (comma-separated, or * for all)",
  add_endpoint: "Add endpoint",
  edit: "Edit",
  disable: "Disable",
  enable: "Enable",
  rotate_secret: "Rotate secret",
  signing_secret: "Signing secret",
  previous_secret_until: "The previous secret keeps signing until {at}.",
  enabled: "Enabled",
  disabled: "Disabled",
  role: "Role",
  invite: "Add member",
  invite_hint: "They must have an account already: ask them to sign up first.",
  remove: "Remove",
  change_role: "Change role",
  you: "you",
  volume: "Last 30 days",
  volume_caption: "Captured and refunded per day, {currency}",
  by_status: "Payments by status",
  ledger_audit: "Ledger audit",
  balanced: "Balanced",
  unbalanced: "Not balanced",
  not_found_title: "Not found",
  not_found: "There is nothing here, or it belongs to a merchant you are not a member of.",
  forbidden_title: "Not allowed",
  csrf_refused: "This form was not sent from this dashboard, or your session changed. Reload the page and try again.",
  form_stale: "This form is missing its one-time id. Reload the page and try again.",
  error_title: "Something went wrong",
  error_body: "The dashboard could not do this. Try again; if it keeps happening, quote request {id}.",
  invalid_input: "Check this field.",
  amount_invalid: "Enter an amount like {example}.",
  done: "Done.",
  time_zone_note: "Times are Baghdad time.",
  settlement: "Settlement balance",
  destination: "Destination",
  arrival: "Expected arrival",
  actions: "Actions",
  cancel_payout: "Cancel payout",
  kyc_level: "KYC level",
} as const;

export type Key = keyof typeof EN;

const AR: Record<Key, string> = {
  app: "مزاد واليت",
  dashboard: "لوحة التحكم",
  skip: "انتقل إلى المحتوى",
  nav: "القائمة الرئيسية",
  home: "الرئيسية",
  keys: "مفاتيح API",
  payments: "المدفوعات",
  payouts: "السحوبات",
  users: "المستخدمون والمحافظ",
  webhooks: "Webhooks",
  team: "الفريق",
  sign_up: "إنشاء حساب",
  log_in: "تسجيل الدخول",
  log_out: "تسجيل الخروج",
  email: "البريد الإلكتروني",
  password: "كلمة المرور",
  password_hint: "من 10 إلى 128 حرفًا، فيها حرف صغير وحرف كبير ورقم.",
  name: "الاسم",
  your_name: "اسمك",
  have_account: "لديك حساب؟",
  no_account: "ليس لديك حساب؟",
  merchants: "متاجرك",
  new_merchant: "إنشاء متجر",
  merchant_name: "اسم النشاط التجاري",
  website: "الموقع الإلكتروني (اختياري)",
  create: "إنشاء",
  save: "حفظ",
  language: "English",
  language_label: "اللغة",
  mode: "الوضع",
  sandbox: "تجريبي",
  live: "حقيقي",
  switch_to: "التبديل إلى {mode}",
  live_needs_admin: "الوضع الحقيقي للمالك أو المدير فقط.",
  viewer_cannot: "دورك ({role}) يسمح بالعرض فقط.",
  role_cannot: "دورك ({role}) لا يسمح بهذا في الوضع {mode}.",
  members_need_admin: "إدارة الفريق للمالكين والمديرين فقط.",
  copy: "نسخ",
  copied: "تم النسخ",
  shown_once: "يظهر مرة واحدة فقط: انسخه الآن واحفظه في مكان آمن.",
  new_secrets: "مفاتيحك الجديدة",
  key_type: "النوع",
  key_secret: "مفتاح سري",
  key_publishable: "مفتاح عام",
  key_signing: "مفتاح توقيع",
  key: "المفتاح",
  key_name: "الاسم (اختياري)",
  create_key: "إنشاء مفتاح",
  revoke: "إلغاء",
  revoked: "ملغى",
  active: "فعّال",
  created: "أُنشئ",
  status: "الحالة",
  amount: "المبلغ",
  currency: "العملة",
  date: "التاريخ",
  from: "من",
  to: "إلى",
  all: "الكل",
  filter: "تصفية",
  previous: "السابق",
  next: "التالي",
  page_of: "صفحة {page} من {pages}",
  none_yet: "لا يوجد شيء بعد.",
  method: "طريقة الدفع",
  captured: "المحصّل",
  refunded: "المسترد",
  net: "الصافي",
  commission: "العمولة",
  merchant_amount: "حصتك",
  capture: "تحصيل",
  void: "إبطال",
  refund: "استرداد",
  reason: "السبب",
  amount_optional: "المبلغ (اختياري: الباقي افتراضيًا)",
  capture_before: "التحصيل قبل",
  refund_before: "الاسترداد قبل",
  buyer: "المشتري",
  card: "البطاقة",
  description: "الوصف",
  refunds: "الاستردادات",
  events: "الأحداث",
  deliveries: "إرسالات Webhook",
  event: "الحدث",
  type: "النوع",
  attempt: "المحاولة",
  outcome: "النتيجة",
  latency: "زمن الاستجابة",
  next_retry: "المحاولة التالية",
  response: "الرد",
  redeliver: "إرسال مجددًا",
  redelivered: "أُضيف للإرسال إلى {n} نقطة.",
  user: "المستخدم",
  external_id: "المعرّف الخارجي",
  search: "بحث",
  balances: "الأرصدة",
  available: "المتاح",
  held: "المحجوز",
  total: "الإجمالي",
  transactions: "الحركات",
  reference: "المرجع",
  balance_after: "الرصيد بعدها",
  chain: "سلسلة السجل",
  chain_ok: "تم التحقق: {n} قيدًا، كل التجزئات مترابطة",
  chain_broken: "السلسلة مكسورة عند القيد {seq}: {reason}",
  chain_partial: "أول {n} قيدًا سليمة؛ السلسلة أطول مما تفحصه اللوحة.",
  url: "الرابط",
  event_types: "الأحداث (مفصولة بفواصل، أو * للكل)",
  add_endpoint: "إضافة نقطة استقبال",
  edit: "تعديل",
  disable: "تعطيل",
  enable: "تفعيل",
  rotate_secret: "تجديد السر",
  signing_secret: "سر التوقيع",
  previous_secret_until: "يبقى السر السابق يوقّع حتى {at}.",
  enabled: "مفعّلة",
  disabled: "معطّلة",
  role: "الدور",
  invite: "إضافة عضو",
  invite_hint: "يجب أن يكون لديه حساب: اطلب منه التسجيل أولًا.",
  remove: "إزالة",
  change_role: "تغيير الدور",
  you: "أنت",
  volume: "آخر 30 يومًا",
  volume_caption: "المحصّل والمسترد يوميًا، {currency}",
  by_status: "المدفوعات حسب الحالة",
  ledger_audit: "تدقيق السجل",
  balanced: "متوازن",
  unbalanced: "غير متوازن",
  not_found_title: "غير موجود",
  not_found: "لا يوجد شيء هنا، أو أنه يخص متجرًا لست عضوًا فيه.",
  forbidden_title: "غير مسموح",
  csrf_refused: "لم يُرسل هذا النموذج من هذه اللوحة، أو تغيّرت جلستك. أعد تحميل الصفحة وحاول مجددًا.",
  form_stale: "ينقص هذا النموذج معرّفه الخاص. أعد تحميل الصفحة وحاول مجددًا.",
  error_title: "حدث خطأ",
  error_body: "تعذّر تنفيذ هذا. حاول مجددًا؛ وإن تكرر فاذكر رقم الطلب {id}.",
  invalid_input: "تحقق من هذا الحقل.",
  amount_invalid: "أدخل مبلغًا مثل {example}.",
  done: "تم.",
  time_zone_note: "الأوقات بتوقيت بغداد.",
  settlement: "رصيد التسوية",
  destination: "الوجهة",
  arrival: "الوصول المتوقع",
  actions: "إجراءات",
  cancel_payout: "إلغاء السحب",
  kyc_level: "مستوى التحقق من الهوية",
};

const DICTIONARIES: Record<Lang, Record<Key, string>> = { en: EN, ar: AR };

export type T = (key: Key, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): T {
  const words = DICTIONARIES[lang];
  return (key, vars) => words[key].replace(/\{(\w+)\}/g, (whole, name: string) => (vars && name in vars ? String(vars[name]) : whole));
}

export function langOf(value: string | undefined): Lang {
  return value === "ar" ? "ar" : "en";
}

const LOCALES: Record<Lang, string> = { en: "en-GB", ar: "ar-IQ" };
export const TIME_ZONE = "Asia/Baghdad";
/** Baghdad's offset from UTC, by which days are counted. */
export const TIME_ZONE_OFFSET_MS = BAGHDAD_OFFSET_MS;

/** An amount in minor units as the language writes it: IQD with no minor digits, USD with two. */
export function formatMoney(lang: Lang, amount_minor: number, currency: Currency): string {
  const digits = CURRENCIES[currency].exponent;
  return new Intl.NumberFormat(LOCALES[lang], {
    style: "currency",
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(amount_minor / 10 ** digits);
}

export function formatNumber(lang: Lang, value: number): string {
  return new Intl.NumberFormat(LOCALES[lang]).format(value);
}

export function formatDate(lang: Lang, iso_or_ms: string | number): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: "medium", timeStyle: "short", timeZone: TIME_ZONE }).format(
    new Date(iso_or_ms),
  );
}

export function formatDay(lang: Lang, day: string): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${day}T00:00:00Z`));
}

/**
 * A decimal amount typed in major units ("12.5" USD) as minor units (1250), or null when it is not
 * a plain positive decimal with at most the currency's digits. Whether it is allowed is the API's rule.
 */
export function parseAmount(text: string, currency: Currency): number | null {
  const digits = CURRENCIES[currency].exponent;
  const match = /^(\d{1,16})(?:[.,](\d+))?$/.exec(text.trim().replace(/[\s\u066c]/g, ""));
  if (!match) return null;
  const fraction = match[2] ?? "";
  if (fraction.length > digits) return null;
  const minor = Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
  return Number.isSafeInteger(minor) ? minor : null;
}

export function amountExample(currency: Currency): string {
  return CURRENCIES[currency].exponent === 0 ? "25000" : "12.50";
}
