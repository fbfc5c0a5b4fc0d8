import type { ErrorCode } from "../domain/errors";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../domain/password-policy";
import type { Lang } from "./i18n";

/**
 * The API's refusals in Arabic, by code: the API's messages are English (codes are the contract),
 * and an Arabic page shows no English sentence. A code without words here falls back to the
 * generic "check this field" (with a field) or to the API's message (without one).
 */
const ARABIC: Partial<Record<ErrorCode, string>> = {
  parameter_missing: "هذا الحقل مطلوب.",
  parameter_invalid: "تحقق من هذا الحقل.",
  parameter_invalid_type: "تحقق من هذا الحقل.",
  email_taken: "يوجد حساب بهذا البريد الإلكتروني.",
  weak_password: `كلمة المرور ضعيفة: من ${PASSWORD_MIN_LENGTH} إلى ${PASSWORD_MAX_LENGTH} حرفًا، فيها حرف لاتيني صغير وحرف كبير ورقم.`,
  invalid_credentials: "البريد الإلكتروني أو كلمة المرور غير صحيحة.",
  account_not_found: "لا يوجد حساب بهذا البريد الإلكتروني.",
  insufficient_role: "دورك في هذا التاجر لا يسمح بهذا الإجراء.",
  request_forbidden: "رُفض الطلب لأسباب أمنية. أعد تحميل الصفحة وحاول مجددًا.",
  resource_missing: "غير موجود.",
  rate_limited: "محاولات كثيرة. انتظر قليلًا ثم حاول مجددًا.",
  object_busy: "العملية مشغولة الآن. حاول بعد لحظة.",
  idempotency_key_in_use: "طلب مماثل قيد التنفيذ. حاول بعد لحظة.",
  idempotency_key_reused: "أُرسل هذا النموذج من قبل بقيم أخرى. أعد تحميل الصفحة.",
  payment_in_progress: "هناك تحصيل أو إلغاء جارٍ لهذه الدفعة. حاول بعد لحظة.",
  insufficient_funds: "لا يكفي الرصيد المتاح.",
  balance_limit_exceeded: "يتجاوز هذا الحد الأعلى للأموال في النظام.",
  payment_not_capturable: "لا يمكن تحصيل هذه الدفعة.",
  amount_exceeds_authorization: "المبلغ أكبر من المبلغ المفوَّض.",
  payment_not_voidable: "لا يمكن إلغاء هذه الدفعة.",
  payment_not_refundable: "لا يمكن استرداد هذه الدفعة.",
  refund_window_expired: "انتهت مهلة الاسترداد (٩٠ يومًا من التحصيل).",
  amount_exceeds_refundable: "المبلغ أكبر من المتبقي للاسترداد.",
  last_owner: "يجب أن يبقى مالك واحد على الأقل.",
  sandbox_only: "هذا متاح في البيئة التجريبية فقط.",
};

/** What a refusal says on a page in this language. */
export function refusalText(problem: { code?: string | undefined; message: string; param?: string | undefined }, lang: Lang): string {
  if (lang === "en" || problem.code === undefined) return problem.message;
  const words = ARABIC[problem.code as ErrorCode];
  if (words) return words;
  return problem.param ? "تحقق من هذا الحقل." : "تعذّر تنفيذ هذا. حاول مجددًا.";
}
