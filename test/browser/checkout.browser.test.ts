import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cardNumbersIn, cvvsIn, scanForCardData } from "./card-data-scan.js";
import { startMerchantSite, type MerchantSite } from "./merchant-site.js";

/**
 * The hosted checkout in a real Chromium (Debian's, driven by playwright-core): a merchant's page
 * on its own site includes checkout.js, opens the checkout in a popup, the buyer pays by wallet or
 * card, and the page gets the result by postMessage. Then the fallback when the popup is blocked,
 * keyboard-only use, screenshots at desktop and 375 px, and last a scan of every store and log for
 * card numbers and CVVs. Every wait is on an event or a URL, never a timer.
 */

const workerUrl = inject("workerUrl");
const root = path.resolve(import.meta.dirname, "../..");
const ARTIFACTS = path.join(root, "test", "browser", ".artifacts");
const CHROMIUM = "/usr/bin/chromium";

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

async function seedMerchant(): Promise<{ secret_key: string; publishable_key: string }> {
  const email = `browser-${crypto.randomUUID()}@example.com`;
  const password = "Browser-Test-Pass-42";
  const registered = await api("POST", "/api/v1/auth/register", { email, password, name: "Browser Test" });
  if (registered.status !== 201) throw new Error(JSON.stringify(registered.body));
  const login = await api("POST", "/api/v1/auth/login", { email, password });
  const merchant = await api("POST", "/api/v1/merchants", { name: "Antique House" }, login.body.data.access_token);
  if (merchant.status !== 201) throw new Error(JSON.stringify(merchant.body));
  return merchant.body.data;
}

async function buyerWith(amount: number): Promise<string> {
  const external_id = `usr_${crypto.randomUUID()}`;
  const synced = await api("POST", "/api/v1/users/sync", { external_user_id: external_id, name: "Zainab Al-Kadhimi" }, secretKey);
  if (synced.status >= 300) throw new Error(JSON.stringify(synced.body));
  const topUp = await api(
    "POST",
    `/api/v1/embedded/users/${synced.body.data.mazad_user_id}/wallet/top-ups`,
    { amount, currency: "IQD" },
    secretKey,
  );
  if (topUp.status !== 201) throw new Error(JSON.stringify(topUp.body));
  return external_id;
}

interface Checkout {
  id: string;
  checkout_url: string;
  client_secret: string;
}

async function newSession(amount: number): Promise<Checkout> {
  const external_user_id = await buyerWith(100_000);
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
    },
    secretKey,
  );
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.data;
}

async function newIntent(amount = 9999): Promise<Checkout> {
  const res = await api(
    "POST",
    "/api/v1/payment-intents",
    { amount, currency: "USD", description: "Premium plan", success_url: site.successUrl, cancel_url: site.cancelUrl },
    secretKey,
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
  if (!existsSync(CHROMIUM))
    throw new Error(
      `No Chromium at ${CHROMIUM}: install it with \`apt-get update && apt-get install -y chromium\` (docs/contributing/tests.md, "Browser tests").`,
    );
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    // Chromium's own popup blocker stays on, as in a buyer's browser: the fallback test needs it.
    ignoreDefaultArgs: ["--disable-popup-blocking"],
  });
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
    await expect(popup.textContent("#amount")).resolves.toBe("45,000 IQD");
    await expect(popup.textContent("#buyer-name")).resolves.toBe("Zainab Al-Kadhimi");
    await expect(popup.textContent("#buyer-balance")).resolves.toBe("100,000 IQD");
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

  it("retrieve: after paying, the shop's page reads the checkout from its own origin with the publishable key and the client secret", async () => {
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

  it("screenshots at desktop and 375 px wide; nothing overflows at 375 px", async () => {
    const viewports = [
      { name: "desktop", options: { viewport: { width: 1280, height: 900 } } },
      { name: "375", options: { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } },
    ];
    for (const { name, options } of viewports) {
      const shots = await browser.newContext(options);
      shots.on("page", watch);
      const page = await shots.newPage();
      const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

      const session = await newSession(45_000);
      await page.goto(session.checkout_url);
      expect(await fits()).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, `checkout-wallet-${name}.png`), fullPage: true });

      const intent = await newIntent(9999);
      await page.goto(intent.checkout_url);
      expect(await fits()).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, `checkout-card-${name}.png`), fullPage: true });

      await fillCard(page, "4000 0000 0000 9995", CVV.screenshot);
      await submitAndLoad(page);
      await expect(page.textContent("#form-error")).resolves.toMatch(/insufficient funds/i);
      expect(await fits()).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, `checkout-card-declined-${name}.png`), fullPage: true });

      await page.goto(`${workerUrl}/checkout/${intent.id}?client_secret=wrong`);
      await expect(page.textContent("h1")).resolves.toBe("This payment link is not valid");
      await page.screenshot({ path: path.join(ARTIFACTS, `checkout-invalid-link-${name}.png`), fullPage: true });
      await shots.close();
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
