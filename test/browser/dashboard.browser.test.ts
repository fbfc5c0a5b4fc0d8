import { createServer, type Server } from "node:http";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ARTIFACTS, AXE_SOURCE, launchChromium } from "./chromium.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

/**
 * The dashboard in a real Chromium: sign up, create a merchant, see its sandbox keys, create one;
 * then (through the API, as the shop's server would) a buyer pays; the owner captures and refunds
 * part of it from the page and sees the webhook delivery. Every page visited is checked with
 * axe-core (no serious or critical violation) and photographed at 1280 and 375 px in English and
 * Arabic into test/browser/artifacts/.
 */

const workerUrl = inject("workerUrl");
const PASSWORD = "Dashboard-Pass-42";

let browser: Browser;
let context: BrowserContext;
let page: Page;
let receiver: Server;
let receiverUrl: string;
const received: string[] = [];
const problems: string[] = [];
const axeFindings: string[] = [];

async function api<T = any>(method: string, route: string, body: unknown, token: string): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { "Content-Type": "application/json", Authorization: `Bearer ${token}` };
  if (method === "POST") headers["Idempotency-Key"] = crypto.randomUUID();
  const res = await fetch(`${workerUrl}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

/** axe-core, evaluated through the DevTools protocol (the page's CSP allows no injected script, rightly). */
async function checkAccessibility(p: Page, label: string): Promise<void> {
  await p.evaluate(AXE_SOURCE);
  const violations = await p.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (o: unknown) => Promise<{ violations: any[] }> } }).axe;
    const result = await axe.run({ resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n: any) => n.target.join(" ")).slice(0, 3) }));
  });
  for (const v of violations)
    if (v.impact === "serious" || v.impact === "critical") axeFindings.push(`${label}: ${v.id} (${v.impact}) ${v.nodes.join(", ")}`);
}

function watch(p: Page): void {
  p.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`${p.url()}: ${message.text()}`);
  });
  p.on("pageerror", (error) => problems.push(`${p.url()}: ${error.message}`));
}

async function submit(p: Page, selector: string): Promise<void> {
  await Promise.all([p.waitForNavigation(), p.click(selector)]);
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push(body);
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const address = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/hooks/mazad`;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: workerUrl });
  page = await context.newPage();
  watch(page);
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

describe("the dashboard in Chromium", () => {
  const state = { secret_key: "", base: "", payment_id: "", top_up_payment_id: "", user_id: "", endpoint_id: "" };

  it("signs up, creates a merchant and shows its sandbox keys once, with a copy button", async () => {
    await page.goto(`${workerUrl}/admin`);
    expect(new URL(page.url()).pathname).toBe("/admin/login");
    await checkAccessibility(page, "login");
    await submit(page, "a[href='/admin/signup']");
    await checkAccessibility(page, "signup");
    await page.fill("#f-name", "Zainab Owner");
    await page.fill("#f-email", `owner-${crypto.randomUUID()}@example.com`);
    await page.fill("#f-password", PASSWORD);
    await submit(page, "button[type=submit]:text('Sign up')");
    await checkAccessibility(page, "new merchant");
    await page.fill("#f-name", "Antique House");
    await submit(page, "form[action='/admin/merchants'] button[type=submit]");
    state.secret_key = (await page.textContent("#secret-0"))!.trim();
    expect(state.secret_key).toMatch(/^sk_sandbox_/);
    expect((await page.textContent("#secret-1"))!.trim()).toMatch(/^pk_sandbox_/);
    await page.click("button[data-copy='secret-0']");
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(state.secret_key);
    state.base = new URL((await page.getAttribute("nav.side a", "href"))!, workerUrl).pathname;
    await checkAccessibility(page, "keys with secrets");
    // The page after creation holds them; reloading the keys page does not.
    await page.goto(`${workerUrl}${state.base}/keys`);
    expect(await page.content()).not.toContain(state.secret_key);
  });

  it("creates a signing key: its id and secret shown once", async () => {
    await page.selectOption("#f-type", "signing");
    await page.fill("#f-name", "Server");
    await submit(page, "#create-key-button");
    expect((await page.textContent("#secret-0"))!.trim()).toMatch(/^mk_sandbox_/);
    expect((await page.textContent("#secret-1"))!.trim()).toMatch(/^mks_/);
  });

  it("adds a webhook endpoint from the page", async () => {
    await page.goto(`${workerUrl}${state.base}/webhooks`);
    await page.fill("#f-url", receiverUrl);
    await page.fill("#f-events", "*");
    await submit(page, "#add-endpoint-button");
    expect((await page.textContent("#endpoint-secret"))!.trim()).toMatch(/^whsec_/);
    state.endpoint_id = /\/webhooks\/(we_[A-Za-z0-9]+)/.exec(page.url())?.[1] ?? /we_[A-Za-z0-9]{16}/.exec(await page.content())![0];
  });

  it("a buyer pays in Arabic and in English; the merchant refunds part of one from the page and sees its webhook delivery", async () => {
    const external_user_id = `usr_${crypto.randomUUID()}`;
    const synced = await api(
      "POST",
      "/api/v1/users/sync",
      { external_user_id, name: "Ahmed Al-Bayati", kyc_level: "full" },
      state.secret_key,
    );
    expect(synced.status).toBeLessThan(300);
    state.user_id = synced.body.data.mazad_user_id;
    const topUp = await api(
      "POST",
      `/api/v1/embedded/users/${state.user_id}/wallet/top-ups`,
      { amount: 150_000, currency: "IQD" },
      state.secret_key,
    );
    expect(topUp.status).toBe(201);
    // Two payouts for the payouts page: one the sandbox rail pays later, one it fails at once.
    for (const phone of ["+9647701234567", "+9647700000001"]) {
      const destination = { type: "mobile_wallet", provider: "zaincash", phone };
      const payout = await api(
        "POST",
        `/api/v1/embedded/users/${state.user_id}/payouts`,
        { amount: 5_000, currency: "IQD", destination },
        state.secret_key,
      );
      expect(payout.status).toBe(201);
    }
    // A card top-up of the user's wallet, paid through the buyer's JSON API: its payment has a page of its own.
    const topUpIntent = await api(
      "POST",
      "/api/v1/payment-intents",
      {
        purpose: "wallet_top_up",
        external_user_id,
        amount: 25_000,
        currency: "IQD",
        success_url: `${new URL(receiverUrl).origin}/success`,
        cancel_url: `${new URL(receiverUrl).origin}/cancel`,
      },
      state.secret_key,
    );
    expect(topUpIntent.status).toBe(201);
    const card = { number: "4242424242424242", exp_month: 12, exp_year: 2040, cvc: "123", name: "Ahmed Al-Bayati" };
    const { id: intent_id, client_secret } = topUpIntent.body.data;
    const toppedUp = await api("POST", `/checkout/${intent_id}/pay`, { client_secret, method: "card", card }, "");
    expect(toppedUp.body.data.status).toBe("authorized");
    state.top_up_payment_id = intent_id.replace("pi_", "pay_test_");
    // The buyer pays on the hosted page (sandbox code 123456) twice: once in Arabic, once in English.
    const payOnPage = async (locale: "ar" | "en", amount: number) => {
      const session = await api(
        "POST",
        "/api/v1/checkout/sessions",
        {
          external_user_id,
          amount,
          currency: "IQD",
          description: "Order #1042 — Antique Vase",
          success_url: `${new URL(receiverUrl).origin}/success`,
          cancel_url: `${new URL(receiverUrl).origin}/cancel`,
          locale,
        },
        state.secret_key,
      );
      expect(session.status).toBe(201);
      const buyer = await context.newPage();
      await buyer.goto(session.body.data.checkout_url);
      expect(await buyer.getAttribute("html", "lang")).toBe(locale);
      expect(await buyer.getAttribute("html", "dir")).toBe(locale === "ar" ? "rtl" : "ltr");
      await buyer.fill("#otp", "123456");
      await Promise.all([buyer.waitForURL(/\/success\?session_id=/), buyer.click("#pay-button")]);
      await buyer.close();
      return (session.body.data.id as string).replace("cs_test_", "pay_test_");
    };
    const paid_in_arabic = await payOnPage("ar", 45_000);
    const paid_in_english = await payOnPage("en", 30_000);

    await page.goto(`${workerUrl}${state.base}/payments`);
    const links = page.locator("table a.mono");
    await expect
      .poll(async () => {
        await page.reload();
        return links.count();
      })
      .toBe(3);
    const listed = (await links.allTextContents()).map((text) => text.trim());
    expect(listed.sort()).toEqual([paid_in_arabic, paid_in_english, state.top_up_payment_id].sort());
    state.payment_id = paid_in_arabic;
    await submit(page, `a[href$='/payments/${state.payment_id}']`);
    await page.fill("#capture-amount", "45000");
    await submit(page, "#capture-button");
    await page.fill("#refund-amount", "99999999");
    await page.fill("#refund-reason", "Too much");
    await submit(page, "#refund-button");
    expect(await page.textContent("#refund-amount-error")).toBeTruthy();
    await page.fill("#refund-amount", "10000");
    await page.fill("#refund-reason", "Chipped rim");
    await submit(page, "#refund-button");
    expect(await page.textContent("main")).toContain("Chipped rim");
    const payment = await api("GET", `/api/v1/payments/${state.payment_id}`, undefined, state.secret_key);
    expect(payment.body.data.refunded_amount).toBe(10_000);
    expect(payment.body.data.status).toBe("partially_refunded");
    // The refund's webhook reached the receiver, and the page lists that delivery.
    await expect
      .poll(
        async () => {
          await page.reload();
          const refundEvent = page.locator("[data-event]", { hasText: "payment.partially_refunded" });
          return refundEvent.locator("tr[data-delivery] .status-succeeded").count();
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBeGreaterThan(0);
    expect(received.some((body) => body.includes("payment.partially_refunded"))).toBe(true);
  });

  it("every page passes axe and is photographed at 1280 and 375 px, in English and Arabic", async () => {
    const pages = {
      home: "",
      keys: "/keys",
      payments: "/payments",
      payment: `/payments/${state.payment_id}`,
      "top-up": `/payments/${state.top_up_payment_id}`,
      payouts: "/payouts",
      users: "/users",
      user: `/users/${state.user_id}`,
      webhooks: "/webhooks",
      endpoint: `/webhooks/${state.endpoint_id}`,
      team: "/team",
    };
    for (const lang of ["en", "ar"] as const) {
      if (lang === "ar") {
        await page.goto(`${workerUrl}${state.base}`);
        await submit(page, "form[action='/admin/lang'] button");
        expect(await page.getAttribute("html", "dir")).toBe("rtl");
        expect(await page.getAttribute("html", "lang")).toBe("ar");
      }
      for (const [name, suffix] of Object.entries(pages)) {
        for (const width of [1280, 375]) {
          await page.setViewportSize({ width, height: 900 });
          await page.goto(`${workerUrl}${state.base}${suffix}`);
          expect(await page.getAttribute("html", "lang")).toBe(lang);
          if (width === 1280) await checkAccessibility(page, `${name} (${lang})`);
          else {
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
            if (overflow > 0) problems.push(`${name} (${lang}) overflows 375 px by ${overflow} px`);
          }
          await page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${name}-${lang}-${width}.png`), fullPage: true });
        }
      }
    }
    // An Arabic amount is written by Intl for ar-IQ, IQD with no minor digits.
    await page.goto(`${workerUrl}${state.base}/payments/${state.payment_id}`);
    expect(await page.textContent("main")).toMatch(/د\.ع/);
    expect(axeFindings).toEqual([]);
    expect(problems).toEqual([]);
  });
});
