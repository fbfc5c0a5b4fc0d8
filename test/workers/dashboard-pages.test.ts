import { describe, expect, it, vi } from "vitest";
import { LANG_COOKIE } from "../../src/dashboard/i18n";
import { signedUp, withMerchant } from "./dashboard-helpers";
import { call, newSession, payWithWallet, syncUser, topUp } from "./helpers";

/**
 * The dashboard's pages over real payments, wallets, webhooks and members: what the page shows is
 * what the API holds, the page's actions go through the same services, and refusals land at their field.
 */

async function merchantWithPayment(amount = 40_000) {
  const owner = await signedUp();
  const m = await withMerchant(owner.client);
  const secret_key = m.secrets[0]!;
  const external_id = `usr_${crypto.randomUUID()}`;
  const synced = await syncUser(secret_key, external_id, { email: "buyer@example.com" });
  const user_id: string = synced.body.data.mazad_user_id;
  await topUp(secret_key, user_id, 100_000);
  const session = await newSession(secret_key, external_id, amount);
  const paid = await payWithWallet(session);
  expect(paid.status).toBe(200);
  const payment_id: string = (await call("GET", `/api/v1/checkout/sessions/${session.id}`, { token: secret_key })).body.data.payment_id;
  return { ...owner, ...m, secret_key, user_id, external_id, payment_id, session_id: session.id };
}

async function paymentOf(secret_key: string, id: string) {
  return (await call("GET", `/api/v1/payments/${id}`, { token: secret_key })).body.data;
}

describe("dashboard: payments", () => {
  it("captures part, refunds part with a reason, and shows the API's refusal at the field", async () => {
    const m = await merchantWithPayment(40_000);
    const detail = await m.client.get(`${m.base}/payments/${m.payment_id}`);
    expect(detail.status).toBe(200);
    expect(detail.html).toContain("authorized");
    // A capture of 0 is refused at its field and reserves nothing: the real capture then goes through.
    const zero = await m.client.post(`${m.base}/payments/${m.payment_id}/capture`, { amount: "0", op: "z".repeat(24) });
    expect(zero.status).toBe(422);
    expect(zero.html).toMatch(/id="capture-amount-error"/);
    const captured = await m.client.post(`${m.base}/payments/${m.payment_id}/capture`, { amount: "30000", op: "a".repeat(24) });
    expect(captured.status).toBe(303);
    expect((await paymentOf(m.secret_key, m.payment_id)).captured_amount).toBe(30_000);
    // Too much: the payment object's refusal, at the amount field, and nothing refunded.
    await m.client.get(`${m.base}/payments/${m.payment_id}`);
    const tooMuch = await m.client.post(`${m.base}/payments/${m.payment_id}/refund`, {
      amount: "90000",
      reason: "Broken",
      op: "c".repeat(24),
    });
    expect(tooMuch.status).toBeGreaterThanOrEqual(400);
    expect(tooMuch.status).toBeLessThan(500);
    expect(tooMuch.html).toMatch(/id="refund-amount-error"[^>]*>At most 30000 is left to refund/);
    // In Arabic the refusal is the API's code in Arabic words, not its English message.
    m.client.cookies.set(LANG_COOKIE, "ar");
    await m.client.get(`${m.base}/payments/${m.payment_id}`);
    const refusedAgain = { amount: "90000", reason: "Broken", op: "d".repeat(24) };
    const tooMuchInArabic = await m.client.post(`${m.base}/payments/${m.payment_id}/refund`, refusedAgain);
    expect(tooMuchInArabic.html).toMatch(/id="refund-amount-error"[^>]*>المبلغ أكبر من المتبقي للاسترداد\./);
    expect(tooMuchInArabic.html).not.toContain("left to refund");
    // And the payment's state and method in Arabic words, not the API's values.
    expect(tooMuchInArabic.html).toContain('<span class="status status-captured">محصَّلة</span>');
    expect(tooMuchInArabic.html).toMatch(/<dd>المحفظة<\/dd>/);
    m.client.cookies.set(LANG_COOKIE, "en");
    await m.client.get(`${m.base}/payments/${m.payment_id}`);
    const notAmount = await m.client.post(`${m.base}/payments/${m.payment_id}/refund`, { amount: "12.5", reason: "Broken" });
    expect(notAmount.status).toBe(422);
    expect(notAmount.html).toMatch(/id="refund-amount-error"[^>]*>Enter an amount like 25000/);
    const noReason = await m.client.post(`${m.base}/payments/${m.payment_id}/refund`, { amount: "1000", reason: " " });
    expect(noReason.status).toBe(422);
    expect(noReason.html).toMatch(/id="refund-reason-error"/);
    // Zero is not an amount (it once reserved a capture that could never run), and a post without
    // the form's one-time id is refused rather than given a fresh one.
    const zeroRefund = { amount: "0", reason: "Broken", op: "e".repeat(24) };
    const refundZero = await m.client.post(`${m.base}/payments/${m.payment_id}/refund`, zeroRefund);
    expect(refundZero.status).toBe(422);
    expect(refundZero.html).toMatch(/id="refund-amount-error"/);
    const noOp = await m.client.post(`${m.base}/payments/${m.payment_id}/refund`, { amount: "1000", reason: "Broken" });
    expect(noOp.status).toBe(422);
    expect(noOp.html).toContain("one-time id");
    expect((await paymentOf(m.secret_key, m.payment_id)).refunded_amount).toBe(0);
    // The same form sent twice (one `op`) refunds once.
    const form = { amount: "5000", reason: "Chipped", op: "b".repeat(24) };
    expect((await m.client.post(`${m.base}/payments/${m.payment_id}/refund`, form)).status).toBe(303);
    expect((await m.client.post(`${m.base}/payments/${m.payment_id}/refund`, form)).status).toBe(303);
    expect((await paymentOf(m.secret_key, m.payment_id)).refunded_amount).toBe(5_000);
    const after = await m.client.get(`${m.base}/payments/${m.payment_id}`);
    expect(after.html).toContain("Chipped");
    expect(after.html).toContain("partially refunded");
    // The payment's events, from the events index the queue consumer writes.
    await vi.waitFor(
      async () => {
        const withEvents = await m.client.get(`${m.base}/payments/${m.payment_id}`);
        expect(withEvents.html).toMatch(/data-event="evt_/);
        expect(withEvents.html).toContain("payment.partially_refunded");
      },
      { timeout: 15_000, interval: 300 },
    );
  });

  it("lists payments with a status filter and refuses a bad date at its field", async () => {
    const m = await merchantWithPayment();
    const list = await m.client.get(`${m.base}/payments?status=authorized`);
    expect(list.html).toContain(m.payment_id);
    const none = await m.client.get(`${m.base}/payments?status=refunded`);
    expect(none.html).not.toContain(m.payment_id);
    const bad = await m.client.get(`${m.base}/payments?from=yesterday`);
    expect(bad.status).toBe(422);
    expect(bad.html).toMatch(/id="f-from-error"/);
  });

  it("another merchant's payment is a 404 in the page and for its actions", async () => {
    const m = await merchantWithPayment();
    const other = await signedUp();
    const theirs = await withMerchant(other.client, "Other Shop");
    expect((await other.client.get(`${theirs.base}/payments/${m.payment_id}`)).status).toBe(404);
    await other.client.get(`${theirs.base}/payments`);
    const refund = await other.client.post(`${theirs.base}/payments/${m.payment_id}/refund`, { reason: "mine" });
    expect(refund.status).toBe(404);
    expect((await other.client.get(`${theirs.base}/users/${m.user_id}`)).status).toBe(404);
    expect((await paymentOf(m.secret_key, m.payment_id)).status).toBe("authorized");
  });
});

describe("dashboard: users, webhooks, team", () => {
  it("shows a user's balances, transactions and a verified chain", async () => {
    const m = await merchantWithPayment(40_000);
    const list = await m.client.get(`${m.base}/users?q=${encodeURIComponent(m.external_id.slice(0, 10))}`);
    expect(list.html).toContain(m.external_id);
    const page = await m.client.get(`${m.base}/users/${m.user_id}`);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/data-chain="ok"/);
    expect(page.html).toMatch(/Verified: \d+ entries/);
    expect(page.html).toContain("hold");
    const credits = await m.client.get(`${m.base}/users/${m.user_id}?type=credit`);
    expect(credits.html).not.toMatch(/status-hold/);
    expect(credits.html).toMatch(/status-credit/);
  });

  it("adds an endpoint (secret shown once), refuses a bad URL at its field, disables it and rotates its secret", async () => {
    const owner = await signedUp();
    const { base } = await withMerchant(owner.client);
    await owner.client.get(`${base}/webhooks`);
    const bad = await owner.client.post(`${base}/webhooks`, { url: "not a url", events: "*" });
    expect(bad.status).toBe(422);
    expect(bad.html).toMatch(/id="f-url-error"/);
    const badEvents = await owner.client.post(`${base}/webhooks`, { url: "https://shop.example/hook", events: "payment.nope" });
    expect(badEvents.html).toMatch(/id="f-events-error"/);
    const created = await owner.client.post(`${base}/webhooks`, {
      url: "https://shop.example/hook",
      events: "payment.captured, payment.refunded",
    });
    expect(created.status).toBe(201);
    expect(created.html).toMatch(/data-secret="true"[^>]*>whsec_/);
    const id = /\/webhooks\/(we_[A-Za-z0-9]+)\//.exec(created.html)![1]!;
    expect((await owner.client.post(`${base}/webhooks/${id}/disable`)).status).toBe(303);
    expect((await owner.client.get(`${base}/webhooks`)).html).toContain("Disabled");
    const rotated = await owner.client.post(`${base}/webhooks/${id}/rotate`);
    expect(rotated.html).toMatch(/data-secret="true"[^>]*>whsec_/);
    expect(rotated.html).toContain("The previous secret keeps signing until");
  });

  it("the team: adds an existing account, refuses an unknown one at the field, and keeps the last owner", async () => {
    const owner = await signedUp();
    const { base } = await withMerchant(owner.client);
    const colleague = await signedUp("Colleague");
    await owner.client.get(`${base}/team`);
    const unknown = await owner.client.post(`${base}/team`, { email: "nobody-here@example.com", role: "viewer" });
    expect(unknown.status).toBe(422);
    expect(unknown.html).toMatch(/id="invite-email-error"[^>]*>No account has this email/);
    expect((await owner.client.post(`${base}/team`, { email: colleague.email, role: "admin" })).status).toBe(303);
    expect((await colleague.client.get(`${base}/team`)).html).toContain(owner.email);
    const me = /\/team\/(acct_[A-Za-z0-9]+)\/remove/.exec((await owner.client.get(`${base}/team`)).html)![1]!;
    // An admin may not remove an owner: the API's rule.
    const refused = await colleague.client.post(`${base}/team/${me}/remove`);
    expect(refused.status).toBe(403);
    expect(refused.html).toContain("Only an owner may grant, change or remove the owner role.");
  });
});

describe("dashboard: payouts", () => {
  async function merchantWithPayouts() {
    const m = await merchantWithPayment(1_000);
    await syncUser(m.secret_key, m.external_id, { kyc_level: "full" });
    const payOut = async (phone: string) => {
      const res = await call("POST", `/api/v1/embedded/users/${m.user_id}/payouts`, {
        token: m.secret_key,
        body: { amount: 5_000, currency: "IQD", destination: { type: "mobile_wallet", provider: "zaincash", phone } },
      });
      expect(res.status).toBe(201);
      return res.body.data.id as string;
    };
    // One the sandbox rail pays later, one it fails at once.
    return { ...m, pending: await payOut("+9647701234567"), failing: await payOut("+9647700000001") };
  }

  it("lists the payouts with their status and destination, filters them, and cancels a pending one from its row", async () => {
    const m = await merchantWithPayouts();
    const list = await vi.waitFor(async () => {
      const page = await m.client.get(`${m.base}/payouts`);
      expect(page.html).toContain(m.failing);
      expect(page.html).toMatch(/status-failed/);
      return page;
    });
    expect(list.html).toContain(m.pending);
    expect(list.html).toContain("The destination account is closed.");
    expect(list.html).toContain("···4567");
    expect(list.html).toContain(`action="${m.base}/payouts/${m.pending}/cancel"`);
    expect(list.html).not.toContain(`action="${m.base}/payouts/${m.failing}/cancel"`);
    const failed = await m.client.get(`${m.base}/payouts?status=failed`);
    expect(failed.html).toContain(m.failing);
    expect(failed.html).not.toContain(m.pending);
    const user = await m.client.get(`${m.base}/users/${m.user_id}`);
    expect(user.html).toContain(`href="${m.base}/payouts?user=${m.user_id}"`);
    expect(user.html).toContain("full");

    const op = /name="op" value="([A-Za-z0-9]+)"/.exec(list.html)![1]!;
    const canceled = await m.client.post(`${m.base}/payouts/${m.pending}/cancel`, { op });
    expect(canceled.status).toBe(303);
    const after = await call("GET", `/api/v1/payouts/${m.pending}`, { token: m.secret_key });
    expect(after.body.data.status).toBe("canceled");
    // The same form sent again is the same cancel: answered, not refused.
    expect((await m.client.post(`${m.base}/payouts/${m.pending}/cancel`, { op })).status).toBe(303);
    const again = await m.client.post(`${m.base}/payouts/${m.pending}/cancel`, { op: `${op}x` });
    expect(again.status).toBe(422);
    expect(again.html).toContain("Only a pending payout can be canceled");
  });

  it("in Arabic, a bad filter is refused at its field, and another merchant's payout cannot be canceled", async () => {
    const m = await merchantWithPayouts();
    m.client.cookies.set(LANG_COOKIE, "ar");
    const page = await m.client.get(`${m.base}/payouts`);
    expect(page.html).toContain("السحوبات");
    expect(page.html).toContain("قيد التنفيذ");
    const bad = await m.client.get(`${m.base}/payouts?status=lost`);
    expect(bad.status).toBe(422);
    expect(bad.html).toMatch(/id="f-status-error"/);
    const other = await signedUp();
    const theirs = await withMerchant(other.client, "Other Shop");
    await other.client.get(`${theirs.base}/payouts`);
    const refused = await other.client.post(`${theirs.base}/payouts/${m.pending}/cancel`, { op: "A".repeat(24) });
    expect(refused.status).toBe(404);
    expect((await call("GET", `/api/v1/payouts/${m.pending}`, { token: m.secret_key })).body.data.status).toBe("pending");
  });
});
