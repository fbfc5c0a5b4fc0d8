import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { formatAmount, formatDateTime, maskName } from "../../src/checkout/format";
import { parseExpiry } from "../../src/checkout/form-routes";
import { call, createKey, newIntent, newMerchant, newSession, payWithCard, syncUser, topUp, type TestMerchant } from "./helpers";

/**
 * The hosted checkout page as HTML: what a buyer's browser gets and posts. The real-browser run
 * (popup, postMessage, keyboard, screenshots) is test/browser/; this file pins the contract fast.
 */

const ORIGIN = "http://localhost";

/** A browser's request as the worker gets it: redirects are answers to look at, not to follow. */
async function browser(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) {
  const res = await exports.default.fetch(new Request(`${ORIGIN}${path}`, { method, redirect: "manual", ...init }));
  return { status: res.status, headers: res.headers, body: await res.text() };
}

function page(checkout: { id: string; client_secret: string }, extra = "") {
  return browser("GET", `/checkout/${checkout.id}?client_secret=${encodeURIComponent(checkout.client_secret)}${extra}`);
}

function postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = { Origin: ORIGIN }) {
  return browser("POST", path, {
    body: new URLSearchParams(fields).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
  });
}

const card = (
  checkout: { client_secret: string },
  fields: Partial<Record<"card_number" | "card_name" | "card_expiry" | "card_cvc" | "popup", string>> = {},
) => ({
  client_secret: checkout.client_secret,
  card_number: "4242 4242 4242 4242",
  card_name: "Ahmed Al-Bayati",
  card_expiry: "12/30",
  card_cvc: "847",
  ...fields,
});

async function readCheckout(secret_key: string, id: string) {
  const path = id.startsWith("pi_") ? `/api/v1/payment-intents/${id}` : `/api/v1/checkout/sessions/${id}`;
  return (await call("GET", path, { token: secret_key })).body.data;
}

/** A merchant's synced buyer holding `amount` IQD, and a 45,000 IQD session for them. */
async function walletSession(amount: number, options: { merchant?: TestMerchant; full_name?: string } = {}) {
  const merchant = options.merchant ?? (await newMerchant());
  const external_id = `usr_${crypto.randomUUID()}`;
  const user = await syncUser(merchant.secret_key, external_id, options.full_name ? { full_name: options.full_name } : {});
  if (amount > 0) await topUp(merchant.secret_key, user.body.data.mazad_user_id, amount);
  const session = await newSession(merchant.secret_key, external_id, 45000);
  return { merchant, session };
}

function cspOf(res: { headers: Headers }) {
  return res.headers.get("Content-Security-Policy") ?? "";
}

describe("formatting", () => {
  it("writes amounts per currency and language with Intl: whole dinars, dollars with cents", () => {
    expect(formatAmount(45000, "IQD", "en")).toBe("IQD\u00a045,000");
    expect(formatAmount(1_250_000, "IQD", "en")).toBe("IQD\u00a01,250,000");
    expect(formatAmount(0, "IQD", "en")).toBe("IQD\u00a00");
    expect(formatAmount(9999, "USD", "en")).toBe("$99.99");
    expect(formatAmount(5, "USD", "en")).toBe("$0.05");
    expect(formatAmount(123_456_789, "USD", "en")).toBe("$1,234,567.89");
    // Arabic: Arabic-Indic digits, the Arabic thousands and decimal separators, the dinar as د.ع.
    expect(formatAmount(45000, "IQD", "ar")).toBe("\u200f٤٥٬٠٠٠\u00a0د.ع.\u200f");
    expect(formatAmount(9999, "USD", "ar")).toContain("٩٩٫٩٩");
    // Exact past a float's precision: the minor units become a decimal string, never a division.
    expect(formatAmount(9_007_199_254_740_991, "USD", "en")).toBe("$90,071,992,547,409.91");
  });

  it("writes times in a zone, named, per language", () => {
    expect(formatDateTime("2026-11-24T17:05:09Z", "en", "UTC")).toBe("Nov 24, 2026, 05:05 PM UTC");
    expect(formatDateTime("2026-11-24T17:05:09Z", "en")).toBe("Nov 24, 2026, 08:05 PM GMT+3");
    expect(formatDateTime("2026-11-24T17:05:09Z", "ar")).toMatch(/٢٠٢٦/);
  });

  it("masks a buyer's name: first letters only, and nothing of its length", () => {
    expect(maskName("Zainab Al-Kadhimi")).toBe("Z•••• A••••");
    expect(maskName("  Ali  ")).toBe("A••••");
    expect(maskName("أحمد البياتي")).toBe("أ•••• ا••••");
    expect(maskName("A B C D E")).toBe("A•••• B•••• C••••");
    expect(maskName("")).toBe("•••");
  });

  it("reads expiry dates as buyers type them", () => {
    expect(parseExpiry("12/30")).toEqual({ exp_month: 12, exp_year: 30 });
    expect(parseExpiry(" 1 / 2031 ")).toEqual({ exp_month: 1, exp_year: 2031 });
    expect(parseExpiry("1230")).toEqual({ exp_month: 12, exp_year: 30 });
    expect(parseExpiry("12-30")).toBeNull();
    expect(parseExpiry("")).toBeNull();
  });
});

describe("GET /checkout/{id}", () => {
  it("shows a card checkout: merchant, description, amount, expiry and a labelled card form", async () => {
    const merchant = await newMerchant("Antique House");
    const intent = await newIntent(merchant.secret_key, 9999, "USD");
    const res = await page(intent);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(res.body.startsWith("<!doctype html>")).toBe(true);
    expect(res.body).toContain("Antique House");
    expect(res.body).toContain("Premium plan");
    expect(res.body).toContain("$99.99");
    expect(res.body).toContain(`datetime="${intent.expires_at}"`);
    for (const [id, autocomplete] of [
      ["card-number", "cc-number"],
      ["card-name", "cc-name"],
      ["card-expiry", "cc-exp"],
      ["card-cvc", "cc-csc"],
    ]) {
      expect(res.body).toContain(`<label for="${id}">`);
      expect(res.body).toMatch(new RegExp(`<input id="${id}"[^>]*autocomplete="${autocomplete}"`));
    }
    expect(res.body).toMatch(/<input id="card-number"[^>]*inputmode="numeric"/);
    expect(res.body).toContain(`action="/checkout/${intent.id}/pay"`);
    expect(res.body).toContain(`action="/checkout/${intent.id}/cancel"`);
    // No inline code: the CSP allows none.
    expect(res.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(res.body).not.toMatch(/\sstyle=/);
  });

  it("sends a strict CSP (frame-ancestors 'none', the merchant's origins in form-action), no referrer and no caching", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 9999, "USD");
    const res = await page(intent);
    const csp = cspOf(res);
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self' https://shop.example",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers.get("X-Frame-Options")).toBe("DENY");
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    // The popup keeps its opener (the merchant's page) to hand it the result.
    expect(res.headers.get("Cross-Origin-Opener-Policy")).toBeNull();
  });

  it("shows a wallet checkout: the buyer's name masked, no balance before the code, the sandbox code hint", async () => {
    const { session } = await walletSession(100_000, { full_name: "Zainab Al-Kadhimi" });
    const res = await page(session);
    expect(res.status).toBe(200);
    expect(res.body).toContain("IQD\u00a045,000");
    expect(res.body).toContain("Order #1042 — Antique Vase");
    // Anyone holding the link sees this page: not the buyer's name, nor what their wallet holds.
    expect(res.body).toMatch(/id="buyer-name"><bdi>Z•••• A••••<\/bdi>/);
    for (const secret of ["Zainab", "Kadhimi", "100,000", "100000", "buyer-balance"]) expect(res.body).not.toContain(secret);
    expect(res.body).toContain("In sandbox the code is always 123456");
    expect(res.body).toMatch(/<input id="otp"[^>]*autocomplete="one-time-code"/);
    expect(res.body).toMatch(/<input id="otp"[^>]*inputmode="numeric"/);
    expect(res.body).not.toContain("balance-note");
  });

  it("404s an unknown or malformed id with a page", async () => {
    for (const path of [
      "/checkout/pi_0000000000000000?client_secret=x",
      "/checkout/cs_test_0000000000000000?client_secret=x",
      "/checkout/not-an-id?client_secret=x",
    ]) {
      const res = await browser("GET", path);
      expect(res.status, path).toBe(404);
      expect(res.body).toContain("Checkout not found");
      expect(cspOf(res)).toContain("frame-ancestors 'none'");
    }
  });

  it("403s a wrong or missing client_secret and shows nothing of the payment", async () => {
    const merchant = await newMerchant("Secretive Shop");
    const intent = await newIntent(merchant.secret_key, 4321, "USD");
    const wrong = `${intent.id}_secret_${"x".repeat(24)}`;
    const other = await newIntent(merchant.secret_key, 4321, "USD");
    for (const query of [
      `?client_secret=${wrong}`,
      "",
      "?client_secret=",
      `?client_secret=${other.client_secret}`,
      `?client_secret=${"a".repeat(500)}`,
    ]) {
      const res = await browser("GET", `/checkout/${intent.id}${query}`);
      expect(res.status, query).toBe(403);
      expect(res.body).toContain("This payment link is not valid");
      for (const secret of ["Secretive Shop", "Premium plan", "43.21", "shop.example", intent.id, "<form"])
        expect(res.body).not.toContain(secret);
      expect(cspOf(res)).toContain("frame-ancestors 'none'");
      expect(res.headers.get("Cache-Control")).toBe("no-store");
    }
  });

  it("reopened after it ended, says what happened (paid, canceled, expired) with a link back to the merchant", async () => {
    const merchant = await newMerchant("Antique House");
    const paid = await newIntent(merchant.secret_key, 100, "USD");
    expect((await payWithCard(paid)).body.data.status).toBe("authorized");
    const res = await page(paid);
    expect(res.status).toBe(200);
    expect(res.body).toContain('data-status="authorized"');
    expect(res.body).toContain("This payment is complete");
    expect(res.body).toContain(`href="https://shop.example/thanks?payment_intent=${paid.id}"`);
    expect(res.body).toContain("Return to \u2068Antique House\u2069");
    expect(res.body).not.toContain("<form");

    const canceled = await newIntent(merchant.secret_key, 100, "USD");
    await call("POST", `/checkout/${canceled.id}/cancel`, { body: { client_secret: canceled.client_secret } });
    const after = await page(canceled);
    expect(after.status).toBe(200);
    expect(after.body).toContain("This payment was canceled");
    expect(after.body).toContain(`href="https://shop.example/cart?payment_intent=${canceled.id}"`);

    const external_id = `usr_${crypto.randomUUID()}`;
    await syncUser(merchant.secret_key, external_id);
    const expired = await newSession(merchant.secret_key, external_id, 1000);
    const expire = await call("POST", `/api/v1/checkout/sessions/${expired.id}/expire`, {
      token: merchant.secret_key,
      headers: { "Idempotency-Key": crypto.randomUUID() },
    });
    expect(expire.body.data.status).toBe("expired");
    const lapsed = await page(expired);
    expect(lapsed.status).toBe(200);
    expect(lapsed.body).toContain("This payment link has expired");
    expect(lapsed.body).toContain(`href="https://shop.example/cancel?session_id=${expired.id}"`);
    expect(lapsed.body).not.toContain("<form");

    // Authorized, then voided by the merchant: the buyer was not charged, and the page must not say paid.
    const voided = await newIntent(merchant.secret_key, 100, "USD");
    expect((await payWithCard(voided)).body.data.status).toBe("authorized");
    const payment_id = voided.id.replace(/^pi_/, "pay_test_");
    const voiding = await call("POST", `/api/v1/payments/${payment_id}/void`, {
      token: merchant.secret_key,
      headers: { "Idempotency-Key": crypto.randomUUID() },
    });
    expect(voiding.body.data.status).toBe("voided");
    const afterVoid = await page(voided);
    expect(afterVoid.body).toContain("This payment was canceled");
    expect(afterVoid.body).not.toContain("This payment is complete");
    expect(afterVoid.body).toContain(`href="https://shop.example/cart?payment_intent=${voided.id}"`);
  });

  it("in a popup, a closed checkout renders the result page for page.js to post to the merchant", async () => {
    const merchant = await newMerchant();
    const paid = await newIntent(merchant.secret_key, 100, "USD");
    await payWithCard(paid);
    const res = await page(paid, "&popup=1");
    expect(res.status).toBe(200);
    expect(res.body).toContain('data-status="authorized"');
    expect(res.body).toContain(`data-id="${paid.id}"`);
    expect(res.body).toContain('data-target-origin="https://shop.example"');
    expect(res.body).toContain(`data-redirect-url="https://shop.example/thanks?payment_intent=${paid.id}"`);
  });

  it("in live mode says card and wallet payments are not available yet, and offers no form", async () => {
    const merchant = await newMerchant();
    const live = await createKey(merchant, "secret", "live");
    const intent = await newIntent(live.secret, 2500, "USD");
    const res = await page(intent);
    expect(res.status).toBe(200);
    expect(res.body).toContain("Live card payments need a card processor, which is not connected yet.");
    expect(res.body).not.toContain("<form");
    expect(res.body).not.toContain("Sandbox");

    const external_id = `usr_${crypto.randomUUID()}`;
    await syncUser(live.secret, external_id);
    const session = await newSession(live.secret, external_id, 1000);
    const wallet = await page(session);
    expect(wallet.body).toContain("Live wallet payments need a confirmation-code sender");
    expect(wallet.body).not.toContain("<form");
    // The way back to the merchant is its cancel redirect, which says which checkout it was.
    expect(res.body).toContain(`href="https://shop.example/cart?payment_intent=${intent.id}"`);
    expect(wallet.body).toContain(`href="https://shop.example/cancel?session_id=${session.id}"`);

    // A form posted anyway changes nothing.
    const posted = await postForm(`/checkout/${intent.id}/pay`, card(intent));
    expect(posted.status).toBe(200);
    expect(posted.body).not.toContain("<form");
    expect((await readCheckout(live.secret, intent.id)).status).toBe("requires_payment_method");
  });
});

describe("POST /checkout/{id}/pay as a form", () => {
  it("pays by wallet: a wrong code re-renders with the message, the right one redirects to success_url with session_id", async () => {
    const { merchant, session } = await walletSession(100_000);

    const wrong = await postForm(`/checkout/${session.id}/pay`, { client_secret: session.client_secret, otp: "000000" });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toContain("The confirmation code is not right. In sandbox it is always 123456.");
    expect(wrong.body).toMatch(/\d attempts? left/);
    expect(wrong.body).toContain('role="alert"');
    expect(wrong.body).not.toContain("000000");

    const empty = await postForm(`/checkout/${session.id}/pay`, { client_secret: session.client_secret, otp: "" });
    expect(empty.status).toBe(422);
    expect(empty.body).toContain("Enter the 6-digit confirmation code.");

    const paid = await postForm(`/checkout/${session.id}/pay`, { client_secret: session.client_secret, otp: "123456" });
    expect(paid.status).toBe(303);
    expect(paid.headers.get("Location")).toBe(`https://shop.example/success?session_id=${session.id}`);
    expect((await readCheckout(merchant.secret_key, session.id)).status).toBe("authorized");
  });

  it("says once, after the code, when the wallet has too little, with the balance; never before", async () => {
    const { merchant, session } = await walletSession(1_000);
    const shown = await page(session);
    for (const hidden of ["IQD\u00a01,000", "balance-note", "less than this payment"]) expect(shown.body).not.toContain(hidden);

    // A wrong code proves nothing: still no balance.
    const wrong = await postForm(`/checkout/${session.id}/pay`, { client_secret: session.client_secret, otp: "000000" });
    expect(wrong.status).toBe(422);
    expect(wrong.body).not.toContain("IQD\u00a01,000");

    const res = await postForm(`/checkout/${session.id}/pay`, { client_secret: session.client_secret, otp: "123456" });
    expect(res.status).toBe(422);
    expect(res.body).toContain(
      "Your wallet has IQD\u00a01,000 available, less than this payment of IQD\u00a045,000. Add funds to your wallet, then pay.",
    );
    // One banner, not a note and an alert saying the same thing.
    expect(res.body.match(/role="alert"/g)).toHaveLength(1);
    expect(res.body.match(/class="(alert|note warning)"/g)).toHaveLength(1);
    expect((await readCheckout(merchant.secret_key, session.id)).status).toBe("open");
  });

  it("re-renders a declined card with the issuer's message, code and attempts left, and never echoes the number or CVV", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 9999, "USD");
    const cases = [
      ["4000 0000 0000 9995", "Your card has insufficient funds.", "51", 4],
      ["4000000000000069", "Your card has expired.", "54", 3],
      ["4000-0000-0000-0127", "Your card&#39;s security code is incorrect.", "N7", 2],
      ["4111 1111 1111 1111", "Your card was declined. In sandbox, only the test cards are approved.", "05", 1],
    ] as const;
    for (const [number, message, code, left] of cases) {
      const res = await postForm(`/checkout/${intent.id}/pay`, card(intent, { card_number: number, card_cvc: "593" }));
      expect(res.status, number).toBe(422);
      expect(res.body).toContain(message);
      expect(res.body).toContain(`Decline code ${code}`);
      expect(res.body).toContain(`${left} ${left === 1 ? "attempt" : "attempts"} left`);
      const digits = number.replace(/\D/g, "");
      expect(res.body).not.toContain(digits);
      expect(res.body).not.toContain(number);
      expect(res.body).not.toContain("593");
      // The name and expiry are kept so the buyer retypes only the number and CVV.
      expect(res.body).toContain('value="Ahmed Al-Bayati"');
      expect(res.body).toContain('value="12/30"');
    }
    expect((await readCheckout(merchant.secret_key, intent.id)).attempts_remaining).toBe(1);
  });

  it("redirects an approved card to success_url with payment_intent", async () => {
    const merchant = await newMerchant();
    for (const number of ["4242 4242 4242 4242", "5555 5555 5555 4444"]) {
      const intent = await newIntent(merchant.secret_key, 9999, "USD");
      const res = await postForm(`/checkout/${intent.id}/pay`, card(intent, { card_number: number }));
      expect(res.status, number).toBe(303);
      expect(res.headers.get("Location")).toBe(`https://shop.example/thanks?payment_intent=${intent.id}`);
      expect(cspOf(res)).toContain("form-action 'self' https://shop.example");
      const view = await readCheckout(merchant.secret_key, intent.id);
      expect(view.status).toBe("authorized");
      const payment = (await call("GET", `/api/v1/payments/${view.payment_id}`, { token: merchant.secret_key })).body.data;
      expect(payment.card).toMatchObject({ last4: number.slice(-4), exp_month: 12, exp_year: 2030 });
    }
  });

  it("shows mistyped cards at the field, without using an attempt", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 9999, "USD");
    const cases = [
      [{ card_number: "4242 4242 4242 4241" }, "card-number", "The card number is not valid; check the digits."],
      [{ card_expiry: "13/30" }, "card-expiry", "The expiry date is not valid; use MM/YY."],
      [{ card_expiry: "12-30" }, "card-expiry", "The expiry date is not valid; use MM/YY."],
      [{ card_expiry: "01/20" }, "card-expiry", "The card has expired; use another card."],
      [{ card_cvc: "12" }, "card-cvc", "The security code (CVV) is not valid."],
      [{ card_name: "   " }, "card-name", "Enter the name on the card."],
    ] as const;
    for (const [fields, id, message] of cases) {
      const res = await postForm(`/checkout/${intent.id}/pay`, card(intent, fields));
      expect(res.status, JSON.stringify(fields)).toBe(422);
      expect(res.body).toContain(`<p class="field-error" id="${id}-error">${message}</p>`);
      expect(res.body).toMatch(new RegExp(`<input id="${id}"[^>]*aria-invalid="true"[^>]*aria-describedby="${id}-error"`));
    }
    expect((await readCheckout(merchant.secret_key, intent.id)).attempts_remaining).toBe(5);
  });

  it("fails the intent after the last declined attempt and sends the buyer to cancel_url", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 9999, "USD");
    let res;
    for (let attempt = 1; attempt <= 5; attempt++)
      res = await postForm(`/checkout/${intent.id}/pay`, card(intent, { card_number: "4000 0000 0000 9995" }));
    expect(res!.status).toBe(303);
    expect(res!.headers.get("Location")).toBe(`https://shop.example/cart?payment_intent=${intent.id}`);
    expect((await readCheckout(merchant.secret_key, intent.id)).status).toBe("failed");
  });

  it("in a popup answers with the result page instead of a redirect", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 9999, "USD");
    const res = await postForm(`/checkout/${intent.id}/pay`, card(intent, { popup: "1" }));
    expect(res.status).toBe(200);
    expect(res.body).toContain('id="checkout-result"');
    expect(res.body).toContain('data-status="authorized"');
    expect(res.body).toContain('data-target-origin="https://shop.example"');
  });

  it("keeps the popup marker through a decline", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 9999, "USD");
    const res = await postForm(`/checkout/${intent.id}/pay`, card(intent, { popup: "1", card_number: "4000 0000 0000 0069" }));
    expect(res.status).toBe(422);
    expect(res.body.match(/<input type="hidden" name="popup" value="1"\/?>/g)).toHaveLength(2);
  });

  it("refuses a cross-site form post (CSRF) and pays nothing", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 9999, "USD");
    const attacks: Record<string, string>[] = [
      { Origin: "https://evil.example" },
      { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
      { "Sec-Fetch-Site": "same-site" },
      {},
    ];
    for (const headers of attacks) {
      const res = await postForm(`/checkout/${intent.id}/pay`, card(intent), headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body).toContain("This payment was not sent from the checkout page");
      const cancel = await postForm(`/checkout/${intent.id}/cancel`, { client_secret: intent.client_secret }, headers);
      expect(cancel.status).toBe(403);
    }
    expect(await readCheckout(merchant.secret_key, intent.id)).toMatchObject({ status: "requires_payment_method", attempts_remaining: 5 });

    // A browser's own same-origin post passes on Sec-Fetch-Site alone.
    const ours = await postForm(`/checkout/${intent.id}/pay`, card(intent), { "Sec-Fetch-Site": "same-origin" });
    expect(ours.status).toBe(303);
  });

  it("403s a form with a wrong client_secret", async () => {
    const merchant = await newMerchant("Quiet Shop");
    const intent = await newIntent(merchant.secret_key, 9999, "USD");
    const res = await postForm(`/checkout/${intent.id}/pay`, card(intent, { client_secret: "nope" } as never));
    expect(res.status).toBe(403);
    expect(res.body).toContain("This payment link is not valid");
    expect(res.body).not.toContain("Quiet Shop");
    expect((await readCheckout(merchant.secret_key, intent.id)).attempts_remaining).toBe(5);
  });

  it("leaves JSON bodies to the JSON API on the same path", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 9999, "USD");
    const res = await payWithCard(intent);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(res.body.data).toMatchObject({ status: "authorized", redirect_url: `https://shop.example/thanks?payment_intent=${intent.id}` });
  });
});

describe("POST /checkout/{id}/cancel as a form", () => {
  it("cancels and redirects to cancel_url with the checkout's id; in a popup renders the canceled result", async () => {
    const { merchant, session } = await walletSession(100_000);
    const res = await postForm(`/checkout/${session.id}/cancel`, { client_secret: session.client_secret });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`https://shop.example/cancel?session_id=${session.id}`);
    expect((await readCheckout(merchant.secret_key, session.id)).status).toBe("canceled");

    const intent = await newIntent(merchant.secret_key, 100, "USD");
    const popup = await postForm(`/checkout/${intent.id}/cancel`, { client_secret: intent.client_secret, popup: "1" });
    expect(popup.status).toBe(200);
    expect(popup.body).toContain('data-status="canceled"');
    expect(popup.body).toContain(`data-redirect-url="https://shop.example/cart?payment_intent=${intent.id}"`);

    // Paying a canceled checkout says so, with the way back to cancel_url, rather than an error or a silent redirect.
    const late = await postForm(`/checkout/${intent.id}/pay`, card(intent));
    expect(late.status).toBe(200);
    expect(late.body).toContain("This payment was canceled");
    expect(late.body).toContain(`href="https://shop.example/cart?payment_intent=${intent.id}"`);
  });
});

describe("{CHECKOUT_SESSION_ID} in success_url and cancel_url", () => {
  it("is replaced by the checkout's id on cancel as on success, and the id is appended unless already there", async () => {
    const merchant = await newMerchant();
    const external_id = `usr_${crypto.randomUUID()}`;
    await syncUser(merchant.secret_key, external_id);
    const placed = await newSession(merchant.secret_key, external_id, 100, {
      cancel_url: "https://shop.example/orders/1042?checkout={CHECKOUT_SESSION_ID}",
    });
    const canceled = await call("POST", `/checkout/${placed.id}/cancel`, { body: { client_secret: placed.client_secret } });
    expect(canceled.body.data.redirect_url).toBe(`https://shop.example/orders/1042?checkout=${placed.id}&session_id=${placed.id}`);

    const created = await call("POST", "/api/v1/payment-intents", {
      token: merchant.secret_key,
      body: {
        amount: 100,
        currency: "USD",
        success_url: "https://shop.example/paid/{CHECKOUT_SESSION_ID}",
        cancel_url: "https://shop.example/cart?payment_intent={CHECKOUT_SESSION_ID}",
      },
    });
    const intent = created.body.data;
    const form = await postForm(`/checkout/${intent.id}/cancel`, { client_secret: intent.client_secret });
    expect(form.headers.get("Location")).toBe(`https://shop.example/cart?payment_intent=${intent.id}`);

    const paidIntent = (
      await call("POST", "/api/v1/payment-intents", {
        token: merchant.secret_key,
        body: {
          amount: 100,
          currency: "USD",
          success_url: "https://shop.example/paid/{CHECKOUT_SESSION_ID}",
          cancel_url: "https://shop.example/cart",
        },
      })
    ).body.data;
    expect((await payWithCard(paidIntent)).body.data.redirect_url).toBe(
      `https://shop.example/paid/${paidIntent.id}?payment_intent=${paidIntent.id}`,
    );
  });
});

describe("static files", () => {
  it("serves the page's CSS and JS from our origin with long cache lifetimes", async () => {
    const merchant = await newMerchant();
    const intent = await newIntent(merchant.secret_key, 100, "USD");
    const html = (await page(intent)).body;
    const paths = [...html.matchAll(/(?:href|src)="(\/checkout\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(paths).toHaveLength(2);
    for (const path of paths) {
      const res = await browser("GET", path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
      expect(res.headers.get("Content-Type")).toMatch(path.endsWith(".css") ? /^text\/css/ : /^text\/javascript/);
    }
    expect((await call("GET", "/checkout/assets/page.00000000.js")).status).toBe(404);
    expect((await call("GET", "/checkout/assets/__proto__")).status).toBe(404);
  });

  it("serves checkout.js for merchants' pages on other origins", async () => {
    const res = await browser("GET", "/checkout.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/javascript/);
    expect(res.headers.get("Cross-Origin-Resource-Policy")).toBe("cross-origin");
    expect(res.headers.get("Cache-Control")).toMatch(/^public, max-age=\d+$/);
    expect(res.body).toContain("window.MazadCheckout = { open: open, retrieve: retrieve }");
    expect(res.body).toContain("event.origin !== checkoutOrigin || event.source !== popup");
  });
});
