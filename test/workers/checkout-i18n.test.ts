import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { fromAcceptLanguage, pickLocale } from "../../src/checkout/i18n";
import { call, newIntent, newMerchant, newSession, syncUser, topUp } from "./helpers";

/**
 * The hosted checkout's languages: which one a buyer gets (the checkout's locale, Accept-Language,
 * the switch), right to left in Arabic, every word of a screen in one language, amounts per locale.
 */

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await exports.default.fetch(new Request(`http://localhost${path}`, { headers, redirect: "manual" }));
  return { status: res.status, body: await res.text() };
}

function postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return exports.default
    .fetch(
      new Request(`http://localhost${path}`, {
        method: "POST",
        body: new URLSearchParams(fields).toString(),
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "http://localhost", ...headers },
        redirect: "manual",
      }),
    )
    .then(async (res) => ({ status: res.status, body: await res.text() }));
}

const pagePath = (checkout: { id: string; client_secret: string }, extra = "") =>
  `/checkout/${checkout.id}?client_secret=${encodeURIComponent(checkout.client_secret)}${extra}`;

/** What a reader sees: the text between tags, and the attributes read aloud or shown (title, placeholder, aria-label, alt). */
function visibleText(html: string): string {
  const attributes = [...html.matchAll(/\s(?:placeholder|aria-label|alt)="([^"]*)"/g)].map((m) => m[1]);
  const text = html
    .replace(/<head>[\s\S]*?<title>([\s\S]*?)<\/title>[\s\S]*?<\/head>/, " $1 ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&[a-z#0-9]+;/g, " ");
  return `${text} ${attributes.join(" ")}`;
}

/** Latin words on an Arabic screen, but for what is not ours to translate: the merchant's own words, and CVV. */
function latinWords(html: string, allowed: string[]): string[] {
  return (visibleText(html).match(/[A-Za-z]{2,}/g) ?? []).filter((word) => !allowed.includes(word));
}

async function arabicShop() {
  const merchant = await newMerchant("متجر التحف");
  const external_id = `usr_${crypto.randomUUID()}`;
  const user = await syncUser(merchant.secret_key, external_id, { full_name: "زينب الكاظمي" });
  await topUp(merchant.secret_key, user.body.data.mazad_user_id, 1_000);
  return { merchant, external_id };
}

describe("choosing the language", () => {
  it("reads Accept-Language by its q-values, and falls back to English", () => {
    expect(fromAcceptLanguage("ar-IQ,ar;q=0.9,en;q=0.8")).toBe("ar");
    expect(fromAcceptLanguage("en-GB,en;q=0.9,ar;q=0.5")).toBe("en");
    expect(fromAcceptLanguage("en;q=0.2, ar;q=0.8")).toBe("ar");
    expect(fromAcceptLanguage("fr-FR,de;q=0.5,ar;q=0")).toBeNull();
    expect(fromAcceptLanguage("")).toBeNull();
    expect(pickLocale({ accept_language: "fr" })).toBe("en");
    expect(pickLocale({ checkout: "ar", accept_language: "en" })).toBe("ar");
    expect(pickLocale({ checkout: "auto", accept_language: "ar" })).toBe("ar");
    expect(pickLocale({ requested: "en", checkout: "ar", accept_language: "ar" })).toBe("en");
    expect(pickLocale({ requested: "fr", checkout: "ar" })).toBe("ar");
  });

  it("takes locale on sessions and intents (auto by default), validates it, and documents it", async () => {
    const merchant = await newMerchant();
    const external_id = `usr_${crypto.randomUUID()}`;
    await syncUser(merchant.secret_key, external_id);
    expect((await newSession(merchant.secret_key, external_id, 1000)).locale).toBe("auto");
    const arabic = await newSession(merchant.secret_key, external_id, 1000, { locale: "ar" });
    expect(arabic.locale).toBe("ar");
    const read = await call("GET", `/api/v1/checkout/sessions/${arabic.id}`, { token: merchant.secret_key });
    expect(read.body.data.locale).toBe("ar");

    const refused = await call("POST", "/api/v1/payment-intents", {
      token: merchant.secret_key,
      body: { amount: 100, currency: "USD", success_url: "https://s.example", cancel_url: "https://c.example", locale: "fr" },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: "parameter_invalid", param: "locale" });

    const doc = (await call("GET", "/openapi.json")).body;
    const body = doc.paths["/api/v1/checkout/sessions"].post.requestBody.content["application/json"].schema;
    const schema = body.$ref ? doc.components.schemas[body.$ref.split("/").pop()] : body;
    expect(schema.properties.locale.enum).toEqual(["auto", "ar", "en"]);
    expect(doc.components.schemas.CheckoutSession.properties.locale.enum).toEqual(["auto", "ar", "en"]);
  });

  it("auto follows Accept-Language; an explicit locale wins over it; the buyer's switch wins over both", async () => {
    const merchant = await newMerchant();
    const external_id = `usr_${crypto.randomUUID()}`;
    await syncUser(merchant.secret_key, external_id);
    const auto = await newSession(merchant.secret_key, external_id, 45_000);
    expect((await get(pagePath(auto), { "Accept-Language": "ar-IQ,ar;q=0.9,en;q=0.5" })).body).toMatch(/^<!doctype html><html lang="ar"/);
    expect((await get(pagePath(auto), { "Accept-Language": "en-US,en;q=0.9" })).body).toMatch(/<html lang="en" dir="ltr"/);
    expect((await get(pagePath(auto), { "Accept-Language": "fr-FR" })).body).toMatch(/<html lang="en" dir="ltr"/);

    const english = await newSession(merchant.secret_key, external_id, 45_000, { locale: "en" });
    expect((await get(pagePath(english), { "Accept-Language": "ar" })).body).toMatch(/<html lang="en" dir="ltr"/);

    // The switch: a link to the same checkout with lang=, which then holds through the form posts.
    const arabic = await newSession(merchant.secret_key, external_id, 45_000, { locale: "ar" });
    const shown = await get(pagePath(arabic));
    expect(shown.body).toMatch(/<html lang="ar" dir="rtl"/);
    const link = /<a href="([^"]+)" lang="en" hreflang="en" id="switch-language">English<\/a>/.exec(shown.body);
    expect(link).not.toBeNull();
    const switched = await get(link![1]!.replaceAll("&amp;", "&"));
    expect(switched.body).toMatch(/<html lang="en" dir="ltr"/);
    // The detector the Arabic tests rely on does find English words.
    expect(latinWords(switched.body, [])).toEqual(expect.arrayContaining(["Pay", "Confirmation", "Expires", "Cancel"]));
    expect(switched.body).toContain('<input type="hidden" name="lang" value="en"/>');
    expect(switched.body).toMatch(/<a href="[^"]+lang=ar" lang="ar" hreflang="ar" id="switch-language">العربية<\/a>/);
    const wrong = await postForm(`/checkout/${arabic.id}/pay`, { client_secret: arabic.client_secret, otp: "000000", lang: "en" });
    expect(wrong.body).toMatch(/<html lang="en" dir="ltr"/);
    expect(wrong.body).toContain("The confirmation code is not right.");
  });
});

describe("the page in Arabic", () => {
  it("is right to left, formats dinars the Iraqi way, and has not one English word of ours", async () => {
    const { merchant, external_id } = await arabicShop();
    const session = await newSession(merchant.secret_key, external_id, 45_000, { locale: "ar", description: "مزهرية أثرية" });
    const res = await get(pagePath(session));
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/<html lang="ar" dir="rtl" data-intl="ar-IQ">/);
    expect(res.body).toContain('<p class="amount" id="amount">\u200f٤٥٬٠٠٠\u00a0د.ع.\u200f</p>');
    expect(res.body).toContain("ادفع \u200f٤٥٬٠٠٠\u00a0د.ع.\u200f");
    expect(res.body).toContain("ادفع من محفظة مزاد");
    // The expiry: the server writes Baghdad time in Arabic, page.js rewrites it in the buyer's zone.
    expect(res.body).toMatch(/<time datetime="[^"]+" data-local="true" id="expires-at">[^<]*٢٠٢٦[^<]*<\/time>/);
    expect(latinWords(res.body, ["English", "shop", "example"])).toEqual([]);
    // Masked before the code, in Arabic too.
    expect(res.body).toContain("ز•••• ا••••");
    expect(res.body).not.toContain("زينب");
    expect(res.body).not.toMatch(/١٬٠٠٠|1,000/);

    // A wrong code, then too little money: both in Arabic, the balance only after the right code.
    const wrong = await postForm(`/checkout/${session.id}/pay`, { client_secret: session.client_secret, otp: "1", lang: "ar" });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toContain("رمز التأكيد غير صحيح.");
    expect(wrong.body).toContain("بقيت ٤ محاولات");
    expect(latinWords(wrong.body, ["English", "shop", "example"])).toEqual([]);
    const short = await postForm(`/checkout/${session.id}/pay`, { client_secret: session.client_secret, otp: "123456", lang: "ar" });
    expect(short.status).toBe(422);
    expect(short.body).toContain("المتاح في محفظتك: \u200f١٬٠٠٠\u00a0د.ع.\u200f — مبلغ الدفعة: \u200f٤٥٬٠٠٠\u00a0د.ع.\u200f");
    expect(short.body.match(/role="alert"/g)).toHaveLength(1);
    expect(latinWords(short.body, ["English", "shop", "example"])).toEqual([]);
  });

  it("words card declines, field errors and the ended checkout in Arabic, dollars included", async () => {
    const merchant = await newMerchant("متجر التحف");
    const intent = await newIntent(merchant.secret_key, 9999, "USD");
    const allowed = ["English", "shop", "example", "Premium", "plan", "CVV"];
    const shown = await get(pagePath(intent, "&lang=ar"));
    expect(shown.body).toContain("\u200f٩٩٫٩٩\u00a0\u2066US$\u2069");
    expect(latinWords(shown.body, [...allowed, "US"])).toEqual([]);
    // The Latin symbol is isolated left to right, or an RTL line shows it as "$US".
    expect(shown.body).not.toContain("\u00a0US$\u200f");
    const base = { client_secret: intent.client_secret, card_name: "أحمد", card_expiry: "12/30", card_cvc: "123", lang: "ar" };

    const declined = await postForm(`/checkout/${intent.id}/pay`, { ...base, card_number: "4000 0000 0000 9995" });
    expect(declined.status).toBe(422);
    expect(declined.body).toContain("لا يوجد رصيد كافٍ في بطاقتك.");
    expect(declined.body).toContain("رمز الرفض 51");
    expect(declined.body).not.toContain("insufficient funds");
    expect(latinWords(declined.body, [...allowed, "US"])).toEqual([]);

    const mistyped = await postForm(`/checkout/${intent.id}/pay`, { ...base, card_number: "4242 4242 4242 4241" });
    expect(mistyped.body).toContain('<p class="field-error" id="card-number-error">رقم البطاقة غير صالح؛ تحقّق من الأرقام.</p>');
    const expired = await postForm(`/checkout/${intent.id}/pay`, { ...base, card_number: "4242 4242 4242 4242", card_expiry: "01/20" });
    expect(expired.body).toContain("انتهت صلاحية البطاقة؛ استخدم بطاقة أخرى.");

    await call("POST", `/checkout/${intent.id}/cancel`, { body: { client_secret: intent.client_secret } });
    const closed = await get(pagePath(intent, "&lang=ar"));
    expect(closed.body).toContain("أُلغي هذا الدفع");
    expect(closed.body).toContain("العودة إلى \u2068متجر التحف\u2069");
    expect(latinWords(closed.body, [...allowed, "US"])).toEqual([]);
  });

  it("words the pages without a checkout in the browser's language", async () => {
    const missing = await get("/checkout/pi_0000000000000000?client_secret=x", { "Accept-Language": "ar" });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatch(/<html lang="ar" dir="rtl"/);
    expect(missing.body).toContain("لم يُعثر على عملية الدفع");
    expect(latinWords(missing.body, [])).toEqual([]);
  });
});
