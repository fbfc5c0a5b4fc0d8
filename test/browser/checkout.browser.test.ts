import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ARTIFACTS, AXE_SOURCE, launchChromium } from "./chromium.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cardNumbersIn, cvvsIn, scanForCardData } from "./card-data-scan.js";
import { logoPng } from "./logo.js";
import { startMerchantSite, type MerchantSite } from "./merchant-site.js";

/**
 * The hosted checkout in a real Chromium (Debian's, driven by playwright-core): a merchant's page
 * on its own site includes checkout.js, opens the checkout in a popup, the buyer pays by wallet or
 * card, and the page gets the result by postMessage. Then the fallback when the popup is blocked,
 * keyboard-only use, paying in Arabic and in English, every checkout state in both languages at
 * desktop and 375 px (screenshots, axe-core), and last a scan of every store and log for card
 * numbers and CVVs. Every wait is on an event or a URL, never a timer.
 */

const workerUrl = inject("workerUrl");

// Distinct CVVs, one per card typed, so the scan can look for each.
const CVV = {
  visa: "847",
  mastercard: "593",
  insufficient: "261",
  expired: "739",
  mismatch: "418",
  keyboard: "306",
  redirect: "952",
  screenshot: "874",
  arabic: "615",
  states: "482",
  luhn: "357",
} as const;
const EXPIRY = "12/30";
const CARD_NAME = "Ahmed Al-Bayati";

interface ShopWindow {
  results: { kind: "success" | "cancel" | "close"; status?: string; id?: string; redirect_url?: string }[];
  messages: { origin: string; data: Record<string, unknown> }[];
  MazadCheckout: { retrieve(options: { publishableKey: string; id: string; clientSecret: string }): Promise<unknown> };
}

let browser: Browser;
let context: BrowserContext;
let site: MerchantSite;
let secretKey: string;
let publishableKey: string;
const problems: string[] = [];

// ---- The merchant's server side, through the public API ---------------------------------------

async function api<T = any>(method: string, route: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (method === "POST") headers["Idempotency-Key"] = crypto.randomUUID();
  const res = await fetch(`${workerUrl}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

async function seedMerchant(): Promise<{ secret_key: string; publishable_key: string; id: string; token: string }> {
  const email = `browser-${crypto.randomUUID()}@example.com`;
  const password = "Browser-Test-Pass-42";
  const registered = await api("POST", "/api/v1/auth/register", { email, password, name: "Browser Test" });
  if (registered.status !== 201) throw new Error(JSON.stringify(registered.body));
  const login = await api("POST", "/api/v1/auth/login", { email, password });
  const merchant = await api("POST", "/api/v1/merchants", { name: "Antique House" }, login.body.data.access_token);
  if (merchant.status !== 201) throw new Error(JSON.stringify(merchant.body));
  return { ...merchant.body.data, token: login.body.data.access_token };
}

async function buyerWith(amount: number, key = secretKey): Promise<string> {
  const external_id = `usr_${crypto.randomUUID()}`;
  const synced = await api("POST", "/api/v1/users/sync", { external_user_id: external_id, name: "Zainab Al-Kadhimi" }, key);
  if (synced.status >= 300) throw new Error(JSON.stringify(synced.body));
  const topUp = await api(
    "POST",
    `/api/v1/embedded/users/${synced.body.data.mazad_user_id}/wallet/top-ups`,
    { amount, currency: "IQD" },
    key,
  );
  if (topUp.status !== 201) throw new Error(JSON.stringify(topUp.body));
  return external_id;
}

interface Checkout {
  id: string;
  checkout_url: string;
  client_secret: string;
}

async function newSession(amount: number, options: { locale?: string; balance?: number; key?: string } = {}): Promise<Checkout> {
  const key = options.key ?? secretKey;
  const external_user_id = await buyerWith(options.balance ?? 100_000, key);
  const res = await api(
    "POST",
    "/api/v1/checkout/sessions",
    {
      external_user_id,
      amount,
      currency: "IQD",
      description: "Order #1042 — Antique Vase",
      success_url: site.successUrl,
      cancel_url: site.cancelUrl,
      ...(options.locale ? { locale: options.locale } : {}),
    },
    key,
  );
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.data;
}

async function newIntent(
  amount = 9999,
  options: { locale?: string; key?: string; extra?: Record<string, unknown>; currency?: string } = {},
): Promise<Checkout> {
  const res = await api(
    "POST",
    "/api/v1/payment-intents",
    {
      amount,
      currency: options.currency ?? "USD",
      description: "Premium plan",
      success_url: site.successUrl,
      cancel_url: site.cancelUrl,
      ...(options.locale ? { locale: options.locale } : {}),
      ...options.extra,
    },
    options.key ?? secretKey,
  );
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.data;
}

async function statusOf(checkout: Checkout) {
  const route = checkout.id.startsWith("pi_") ? `/api/v1/payment-intents/${checkout.id}` : `/api/v1/checkout/sessions/${checkout.id}`;
  return (await api("GET", route, undefined, secretKey)).body.data as { status: string; payment_id: string | null };
}

// ---- The browser ------------------------------------------------------------------------------

/** Reports what the page's own CSP or script refused: a checkout page must need neither. */
function watch(page: Page): void {
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`${page.url()}: ${error.message}`));
}

async function openShop(checkout: Checkout, options: { auto?: boolean } = {}): Promise<Page> {
  const shop = await context.newPage();
  await shop.goto(site.pageUrl(checkout.checkout_url, options));
  return shop;
}

/** The shop's page, its button clicked, and the checkout popup it opened (loaded). */
async function openPopup(checkout: Checkout): Promise<{ shop: Page; popup: Page }> {
  const shop = await openShop(checkout);
  const [popup] = await Promise.all([shop.waitForEvent("popup"), shop.click("#buy")]);
  await popup.waitForLoadState("load");
  return { shop, popup };
}

async function shopResults(shop: Page): Promise<ShopWindow["results"]> {
  await shop.waitForFunction(() => (window as unknown as ShopWindow).results.length > 0);
  return shop.evaluate(() => (window as unknown as ShopWindow).results);
}

async function shopMessages(shop: Page): Promise<ShopWindow["messages"]> {
  return shop.evaluate(() => (window as unknown as ShopWindow).messages);
}

async function fillCard(page: Page, number: string, cvc: string): Promise<void> {
  await page.fill("#card-number", number);
  await page.fill("#card-name", CARD_NAME);
  await page.fill("#card-expiry", EXPIRY);
  await page.fill("#card-cvc", cvc);
}

/** Submits and waits for the page the form post answers with. */
async function submitAndLoad(page: Page, selector = "#pay-button"): Promise<void> {
  await Promise.all([page.waitForEvent("load"), page.click(selector)]);
}

/** Submits in the popup and waits for it to hand over the result and close. */
async function submitAndClose(popup: Page, selector = "#pay-button"): Promise<void> {
  await Promise.all([popup.waitForEvent("close"), popup.click(selector)]);
}

beforeAll(async () => {
  // Chromium's own popup blocker stays on, as in a buyer's browser: the fallback test needs it.
  browser = await launchChromium({ popupBlocker: true });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.on("page", watch);
  site = await startMerchantSite(workerUrl);
  ({ secret_key: secretKey, publishable_key: publishableKey } = await seedMerchant());
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe("the hosted checkout in Chromium", () => {
  it("wallet: the shop opens the popup, the buyer pays with code 123456, the shop gets the result by postMessage", async () => {
    const session = await newSession(45_000);
    const { shop, popup } = await openPopup(session);
    expect(new URL(popup.url()).origin).toBe(workerUrl);
    expect(new URL(popup.url()).searchParams.get("popup")).toBe("1");
    await expect(popup.textContent("#amount")).resolves.toBe("IQD\u00a045,000");
    // Before the code: a masked name, no balance.
    await expect(popup.textContent("#buyer-name")).resolves.toBe("Z•••• A••••");
    expect(await popup.content()).not.toMatch(/Zainab|100,000/);
    await expect(popup.textContent("body")).resolves.toContain("In sandbox the code is always 123456");
    await popup.screenshot({ path: path.join(ARTIFACTS, "popup-wallet.png") });

    await popup.fill("#otp", "123456");
    await submitAndClose(popup);

    const expected = { status: "authorized", id: session.id, redirect_url: `${site.successUrl}?session_id=${session.id}` };
    expect(await shopResults(shop)).toEqual([{ kind: "success", ...expected }]);
    expect(await shopMessages(shop)).toEqual([{ origin: workerUrl, data: { type: "mazad:checkout", ...expected } }]);
    const after = await statusOf(session);
    expect(after.status).toBe("authorized");
    expect(after.payment_id).toMatch(/^pay_test_/);
    await shop.close();
  });

  it("retrieve: after paying, the shop's page reads the checkout from its own origin with the publishable key and the secret", async () => {
    const session = await newSession(30_000);
    const { shop, popup } = await openPopup(session);
    await popup.fill("#otp", "123456");
    await submitAndClose(popup);
    expect(await shopResults(shop)).toEqual([expect.objectContaining({ kind: "success", id: session.id })]);

    // What the merchant's page would do after a redirect or a popup: ask, rather than trust the message.
    const retrieve = (clientSecret: string) =>
      shop.evaluate(
        ({ publishableKey, id, clientSecret }) =>
          (window as unknown as ShopWindow).MazadCheckout.retrieve({ publishableKey, id, clientSecret }).then(
            (view: unknown) => ({ view }),
            (error: { status: number; code: string }) => ({ error: { status: error.status, code: error.code } }),
          ),
        { publishableKey, id: session.id, clientSecret },
      );
    expect(new URL(shop.url()).origin).not.toBe(workerUrl);
    const read = await retrieve(session.client_secret);
    expect(read).toEqual({
      view: {
        id: session.id,
        object: "checkout.session",
        status: "authorized",
        amount: 30_000,
        currency: "IQD",
        expires_at: expect.any(String),
        payment_id: expect.stringMatching(/^pay_test_/),
        redirect_url: `${site.successUrl}?session_id=${session.id}`,
      },
    });
    // A refusal reaches the page too (CORS on errors), with its status and code.
    expect(await retrieve(`${session.client_secret}x`)).toEqual({ error: { status: 403, code: "client_secret_invalid" } });
    await shop.close();
  });

  it("cards: each declining test card shows its reason and code, then 5555 5555 5555 4444 approves", async () => {
    const intent = await newIntent(9999);
    const { shop, popup } = await openPopup(intent);
    await expect(popup.textContent("#amount")).resolves.toBe("$99.99");

    // A mistyped number is caught before it is sent: what the buyer typed stays, to fix one digit.
    await fillCard(popup, "4242 4242 4242 4241", CVV.luhn);
    await popup.click("#pay-button");
    await popup.waitForSelector("#card-number-error");
    await expect(popup.textContent("#card-number-error")).resolves.toBe("The card number is not valid; check the digits.");
    await expect(popup.inputValue("#card-number")).resolves.toBe("4242 4242 4242 4241");
    await expect(popup.getAttribute("#card-number", "aria-invalid")).resolves.toBe("true");
    await expect(popup.evaluate(() => document.activeElement?.id)).resolves.toBe("card-number");

    const declines = [
      { number: "4000 0000 0000 9995", cvc: CVV.insufficient, text: /insufficient funds/i, code: "51" },
      { number: "4000 0000 0000 0069", cvc: CVV.expired, text: /expired/i, code: "54" },
      { number: "4000 0000 0000 0127", cvc: CVV.mismatch, text: /security code is incorrect/i, code: "N7" },
    ];
    for (const [index, decline] of declines.entries()) {
      await fillCard(popup, decline.number, decline.cvc);
      await submitAndLoad(popup);
      const alert = (await popup.textContent("#form-error")) ?? "";
      expect(alert).toMatch(decline.text);
      expect(alert).toContain(`Decline code ${decline.code}`);
      expect(alert).toContain(`${4 - index} attempts left`);
      // The number and CVV are retyped, never sent back; the name and expiry are kept.
      await expect(popup.inputValue("#card-number")).resolves.toBe("");
      await expect(popup.inputValue("#card-cvc")).resolves.toBe("");
      await expect(popup.inputValue("#card-name")).resolves.toBe(CARD_NAME);
      expect(await popup.content()).not.toContain(decline.number.replaceAll(" ", ""));
      if (index === 0) await popup.screenshot({ path: path.join(ARTIFACTS, "popup-card-declined.png") });
    }

    await fillCard(popup, "5555 5555 5555 4444", CVV.mastercard);
    await submitAndClose(popup);
    const results = await shopResults(shop);
    expect(results).toEqual([
      { kind: "success", status: "authorized", id: intent.id, redirect_url: `${site.successUrl}?payment_intent=${intent.id}` },
    ]);
    const after = await statusOf(intent);
    expect(after.status).toBe("authorized");
    const payment = (await api("GET", `/api/v1/payments/${after.payment_id}`, undefined, secretKey)).body.data;
    expect(payment.card).toEqual({ brand: "mastercard", last4: "4444", exp_month: 12, exp_year: 2030 });
    await shop.close();
  });

  it("keyboard only: Tab and Enter open the popup, fill the card (4242…) and pay", async () => {
    const intent = await newIntent(2500);
    const shop = await openShop(intent);
    await shop.keyboard.press("Tab");
    await expect(shop.evaluate(() => document.activeElement?.id)).resolves.toBe("buy");
    const [popup] = await Promise.all([shop.waitForEvent("popup"), shop.keyboard.press("Enter")]);
    await popup.waitForLoadState("load");

    const focused = () => popup.evaluate(() => document.activeElement?.id);
    // The language switch comes first, at the top of the page.
    await popup.keyboard.press("Tab");
    await expect(focused()).resolves.toBe("switch-language");
    const typed = [
      ["card-number", "4242424242424242"],
      ["card-name", CARD_NAME],
      ["card-expiry", "1230"],
      ["card-cvc", CVV.keyboard],
    ] as const;
    for (const [id, text] of typed) {
      await popup.keyboard.press("Tab");
      await expect(focused()).resolves.toBe(id);
      // Keyboard focus is visible.
      await expect(popup.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).resolves.not.toBe("none");
      await popup.keyboard.type(text);
    }
    // page.js types the slash a numeric keypad lacks.
    await expect(popup.inputValue("#card-expiry")).resolves.toBe(EXPIRY);
    await popup.keyboard.press("Tab");
    await expect(focused()).resolves.toBe("pay-button");
    await Promise.all([popup.waitForEvent("close"), popup.keyboard.press("Enter")]);

    expect(await shopResults(shop)).toEqual([
      { kind: "success", status: "authorized", id: intent.id, redirect_url: `${site.successUrl}?payment_intent=${intent.id}` },
    ]);
    expect((await statusOf(intent)).status).toBe("authorized");
    await shop.close();
  });

  it("cancel: the popup reports canceled and the checkout is canceled", async () => {
    const intent = await newIntent(1500);
    const { shop, popup } = await openPopup(intent);
    await submitAndClose(popup, "#cancel-button");
    expect(await shopResults(shop)).toEqual([
      { kind: "cancel", status: "canceled", id: intent.id, redirect_url: `${site.cancelUrl}?payment_intent=${intent.id}` },
    ]);
    expect((await statusOf(intent)).status).toBe("canceled");
    await shop.close();
  });

  it("closing the popup without paying tells onClose, and the checkout stays open", async () => {
    const intent = await newIntent(1500);
    const { shop, popup } = await openPopup(intent);
    await popup.close();
    expect(await shopResults(shop)).toEqual([{ kind: "close" }]);
    expect(await shopMessages(shop)).toEqual([]);
    expect((await statusOf(intent)).status).toBe("requires_payment_method");
    await shop.close();
  });

  it("popup blocked: checkout.js falls back to a redirect, and paying lands on success_url with the id", async () => {
    const session = await newSession(20_000);
    const intent = await newIntent(4200);
    for (const checkout of [session, intent]) {
      const shop = await context.newPage();
      let popups = 0;
      shop.on("popup", () => popups++);
      // Opened on load, with no click: Chromium's popup blocker refuses it, and the shop's tab goes instead.
      await shop.goto(site.pageUrl(checkout.checkout_url, { auto: true }), { waitUntil: "commit" });
      await shop.waitForURL(`${workerUrl}/checkout/${checkout.id}?**`);
      expect(new URL(shop.url()).searchParams.has("popup")).toBe(false);
      if (checkout === session) await shop.fill("#otp", "123456");
      else await fillCard(shop, "4242 4242 4242 4242", CVV.redirect);
      const param = checkout === session ? "session_id" : "payment_intent";
      await Promise.all([shop.waitForURL(`${site.successUrl}?${param}=${checkout.id}`), shop.click("#pay-button")]);
      await expect(shop.textContent("h1")).resolves.toBe("Thank you");
      expect(popups).toBe(0);
      expect((await statusOf(checkout)).status).toBe("authorized");
      await shop.close();
    }
  });

  it("Arabic and English: a buyer pays right to left, and one who switches pays in English", async () => {
    // A buyer whose browser is in Tokyo time: the expiry is shown in it, not in the server's Baghdad time.
    const tokyo = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: "Asia/Tokyo" });
    tokyo.on("page", watch);
    const page = await tokyo.newPage();
    const session = await newSession(45_000, { locale: "ar" });
    await page.goto(session.checkout_url);
    await expect(page.getAttribute("html", "lang")).resolves.toBe("ar");
    await expect(page.getAttribute("html", "dir")).resolves.toBe("rtl");
    await expect(page.textContent("#amount")).resolves.toBe("\u200f٤٥٬٠٠٠\u00a0د.ع.\u200f");
    // page.js wrote the expiry in the browser's own zone, in Arabic.
    const expires = (await page.textContent("#expires-at")) ?? "";
    expect(expires).toMatch(/[٠-٩]/);
    expect(expires).toContain("غرينتش+٩");
    // Mirrored: the merchant's name sits at the inline start, which is the right.
    const heading = (await page.locator("#summary-heading").boundingBox())!;
    const panel = (await page.locator(".summary").boundingBox())!;
    expect(panel.x + panel.width - (heading.x + heading.width)).toBeLessThan(40);
    await page.fill("#otp", "123456");
    await Promise.all([page.waitForURL(`${site.successUrl}?session_id=${session.id}`), page.click("#pay-button")]);
    expect((await statusOf(session)).status).toBe("authorized");

    const intent = await newIntent(2500, { locale: "ar" });
    await page.goto(intent.checkout_url);
    await expect(page.textContent("#pay-button")).resolves.toBe("ادفع \u200f٢٥٫٠٠\u00a0\u2066US$\u2069");
    await fillCard(page, "4242 4242 4242 4242", CVV.arabic);
    await Promise.all([page.waitForURL(`${site.successUrl}?payment_intent=${intent.id}`), page.click("#pay-button")]);
    expect((await statusOf(intent)).status).toBe("authorized");

    // The switch: from the Arabic page to the English one, and the payment goes through in English.
    const switched = await newSession(10_000, { locale: "ar" });
    await page.goto(switched.checkout_url);
    await Promise.all([page.waitForEvent("load"), page.click("#switch-language")]);
    await expect(page.getAttribute("html", "lang")).resolves.toBe("en");
    await expect(page.getAttribute("html", "dir")).resolves.toBe("ltr");
    await expect(page.textContent("#pay-button")).resolves.toBe("Pay IQD\u00a010,000");
    await page.fill("#otp", "123456");
    await Promise.all([page.waitForURL(`${site.successUrl}?session_id=${switched.id}`), page.click("#pay-button")]);
    expect((await statusOf(switched)).status).toBe("authorized");
    await tokyo.close();
  });

  describe("every checkout state, in both languages, at 1280 and 375 px: screenshots and axe-core", () => {
    const viewports = [
      { name: "1280", options: { viewport: { width: 1280, height: 900 } } },
      { name: "375", options: { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } },
    ];
    let branded: { secret_key: string };

    beforeAll(async () => {
      const merchant = await seedMerchant();
      const res = await api(
        "PATCH",
        `/api/v1/merchants/${merchant.id}`,
        {
          // Long words, to see that a name wraps between words at 375 px rather than inside one.
          display_name: "Al-Mutanabbi Street Antiquarian Booksellers",
          brand_color: "#c8102e",
          website: "https://antiques.example",
          logo: `data:image/png;base64,${logoPng().toString("base64")}`,
        },
        merchant.token,
      );
      if (res.status !== 200) throw new Error(JSON.stringify(res.body));
      branded = merchant;
    });

    /** No serious or critical axe-core violation; axe is evaluated in the page (not a script tag: the CSP allows none). */
    async function accessible(page: Page, label: string): Promise<void> {
      await page.evaluate(AXE_SOURCE);
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<any> } }).axe;
        const result = await axe.run(document, { resultTypes: ["violations"] });
        return (result.violations as { id: string; impact: string; nodes: { target: string[] }[] }[])
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      });
      expect(violations, label).toEqual([]);
    }

    for (const locale of ["ar", "en"] as const) {
      for (const { name, options } of viewports) {
        it(`${locale} at ${name} px: open, declined, code, too little money, paid, canceled, expired`, { timeout: 180_000 }, async () => {
          const shots = await browser.newContext(options);
          shots.on("page", watch);
          const page = await shots.newPage();
          const key = branded.secret_key;
          async function state(label: string): Promise<void> {
            await expect(page.getAttribute("html", "lang")).resolves.toBe(locale);
            await expect(page.getAttribute("html", "dir")).resolves.toBe(locale === "ar" ? "rtl" : "ltr");
            // Nothing overflows sideways.
            expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), label).toBe(true);
            await page.screenshot({ path: path.join(ARTIFACTS, `checkout-${locale}-${name}-${label}.png`), fullPage: true });
            await accessible(page, `${locale} ${name} ${label}`);
          }

          const intent = await newIntent(9999, { locale, key });
          await page.goto(intent.checkout_url);
          await state("open");
          await fillCard(page, "4000 0000 0000 9995", CVV.states);
          await submitAndLoad(page);
          await expect(page.locator("#form-error").count()).resolves.toBe(1);
          await state("declined");
          await fillCard(page, "4242 4242 4242 4242", CVV.states);
          await Promise.all([page.waitForURL(`${site.successUrl}?payment_intent=${intent.id}`), page.click("#pay-button")]);
          await page.goto(intent.checkout_url);
          await expect(page.getAttribute("#checkout-closed", "data-status")).resolves.toBe("authorized");
          await state("paid");

          const session = await newSession(45_000, { locale, key });
          await page.goto(session.checkout_url);
          await state("code");
          await Promise.all([page.waitForURL(`${site.cancelUrl}?session_id=${session.id}`), page.click("#cancel-button")]);
          await page.goto(session.checkout_url);
          await expect(page.getAttribute("#checkout-closed", "data-status")).resolves.toBe("canceled");
          await state("canceled");

          const short = await newSession(45_000, { locale, key, balance: 1_000 });
          await page.goto(short.checkout_url);
          await page.fill("#otp", "123456");
          await submitAndLoad(page);
          // One banner, with the balance, only now that the code proved whose wallet it is.
          await expect(page.locator(".alert, .note").count()).resolves.toBe(1);
          await expect(page.textContent("#form-error")).resolves.toContain(locale === "ar" ? "١٬٠٠٠" : "1,000");
          await state("too-little");

          const lapsing = await newSession(5_000, { locale, key });
          const expired = await api("POST", `/api/v1/checkout/sessions/${lapsing.id}/expire`, undefined, key);
          expect(expired.body.data.status).toBe("expired");
          await page.goto(lapsing.checkout_url);
          await expect(page.getAttribute("#checkout-closed", "data-status")).resolves.toBe("expired");
          await expect(page.getAttribute("#return-link", "href")).resolves.toBe(`${site.cancelUrl}?session_id=${lapsing.id}`);
          await state("expired");

          // A wallet top-up: the page says what reaches the wallet and the fee on top; paying captures it at once.
          const topping = `usr_${crypto.randomUUID()}`;
          const synced = await api("POST", "/api/v1/users/sync", { external_user_id: topping, name: "Zainab Al-Kadhimi" }, key);
          expect(synced.status).toBeLessThan(300);
          const top_up = await newIntent(25_000, {
            locale,
            key,
            currency: "IQD",
            extra: { purpose: "wallet_top_up", external_user_id: topping, description: "Mazad wallet top-up" },
          });
          await page.goto(top_up.checkout_url);
          await expect(page.textContent("#amount")).resolves.toContain(locale === "ar" ? "٢٥٬٦٢٥" : "25,625");
          await expect(page.textContent("#top-up")).resolves.toContain(locale === "ar" ? "٦٢٥" : "625");
          await state("top-up");
          await fillCard(page, "4242 4242 4242 4242", CVV.states);
          await Promise.all([page.waitForURL(`${site.successUrl}?payment_intent=${top_up.id}`), page.click("#pay-button")]);
          // The top-up reaches the wallet through the settlement wallet's outbox, a moment after the answer.
          let total = 0;
          for (let tries = 0; tries < 50 && total !== 25_000; tries++) {
            const wallet = await api("GET", `/api/v1/embedded/users/${topping}/wallet`, undefined, key);
            total = wallet.body.data.balances.find((b: { currency: string }) => b.currency === "IQD").total;
            if (total !== 25_000) await new Promise((r) => setTimeout(r, 100));
          }
          expect(total).toBe(25_000);

          await page.goto(`${workerUrl}/checkout/${intent.id}?client_secret=wrong&lang=${locale}`);
          await expect(page.textContent("h1")).resolves.toBe(
            locale === "ar" ? "رابط الدفع هذا غير صالح" : "This payment link is not valid",
          );
          await state("invalid-link");
          await shots.close();
        });
      }
    }
  });

  it("no page broke its CSP or threw", () => {
    expect(problems).toEqual([]);
  });

  it("afterwards no card number or CVV is in any D1 table, Durable Object storage or log line", () => {
    // The detectors find what they look for …
    expect(cardNumbersIn('{"number":"4242 4242 4242 4242"}')).toHaveLength(1);
    expect(cardNumbersIn("card_number=5555+5555+5555+4444&x")).toHaveLength(1);
    expect(cardNumbersIn("number: 4000-0000-0000-0127.")).toHaveLength(1);
    expect(cardNumbersIn('"database_id":"00000000-0000-0000-0000-000000000000"')).toEqual([]);
    expect(cardNumbersIn(`\u0001${"0".repeat(17)}\u0002`)).toEqual([]);
    expect(cardNumbersIn('{"created_at_ms":1764012345678,"hash":"a4242424242424242b"}')).toEqual([]);
    expect(cardNumbersIn(`${Date.now()}000000 4000000000000069`)).toEqual(["4000000000000069"]);
    // A trace store's span id that came out all digits and passes Luhn: no card begins with 0.
    expect(cardNumbersIn('"span_id":"0443916438612097"')).toEqual([]);
    // Wrangler's log names each Durable Object namespace by two random 64-bit numbers; this pair's first passes Luhn.
    expect(cardNumbersIn("uniqueId: '5066806457000218051.-5328751804659715281'")).toEqual([]);
    expect(cardNumbersIn("uniqueId: '1.2' card 4242424242424242")).toEqual(["4242424242424242"]);
    expect(cvvsIn('{"cvc":"847"}', Object.values(CVV)).length).toBeGreaterThan(0);
    expect(cvvsIn("card_cvc=593&x", Object.values(CVV)).length).toBeGreaterThan(0);

    const report = scanForCardData({
      dirs: [inject("persistDir"), inject("logDir")],
      logFiles: inject("logFiles"),
      cvvs: Object.values(CVV),
    });
    // … and the scan read the stores that hold the payments: D1 and the payment objects.
    expect(report.files.some((f) => f.includes("PaymentDO") && f.endsWith(".sqlite"))).toBe(true);
    expect(report.files.some((f) => f.includes("D1DatabaseObject") && f.endsWith(".sqlite"))).toBe(true);
    expect(report.sqliteTables.length).toBeGreaterThan(10);
    expect(report.corpus).toContain("POST /checkout/");
    // What may be kept of a card is kept: brand, last 4, expiry, a keyed fingerprint.
    expect(report.corpus).toMatch(/"brand":"mastercard","last4":"4444","exp_month":12,"exp_year":2030,"fingerprint":"[^"]+"/);
    expect(report.findings).toEqual([]);
  });
});
