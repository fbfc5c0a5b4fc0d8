import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { database } from "../db/client";
import { deliveriesOfEvents, eventsAbout } from "../db/dashboard";
import { listPayments } from "../db/payments";
import type { Currency } from "../domain/currencies";
import { ApiError } from "../domain/errors";
import { randomBase62 } from "../domain/ids";
import { can } from "../domain/roles";
import { redeliverEvent } from "../services/events";
import { EVENT_RETENTION_MS } from "../services/maintenance";
import { capturePayment, openPayment, refundPayment, voidPayment, type PaymentActor } from "../services/payment-actions";
import { operationIdFor } from "../services/wallets";
import type { DashEnv } from "./context";
import { amountExample, parseAmount } from "./i18n";
import { pageProps, render, type Problem } from "./layout";
import { attempt, invalid, type Attempt } from "./outcome";
import type { EventWithDeliveries } from "./pages/events";
import { PAYMENT_STATUSES, PaymentPage, PaymentsPage, type PaymentAction } from "./pages/payments";
import { actInMode, denial } from "./scope";
import { formOf } from "./session";

/** Payments: the list with filters, one payment with its refunds, events and deliveries; capture, void, refund. */
export const paymentRoutes = new Hono<DashEnv>();

const PER_PAGE = 20;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

paymentRoutes.get("/payments", async (c) => {
  const q = c.req.query();
  const t = c.get("t");
  const filters = { status: q.status ?? "", from: q.from ?? "", to: q.to ?? "" };
  const page = Math.min(Math.max(1, Number.parseInt(q.page ?? "1", 10) || 1), 100_000);
  let problem: Problem | undefined;
  if (filters.status && !(PAYMENT_STATUSES as readonly string[]).includes(filters.status))
    problem = { message: t("invalid_input"), param: "status" };
  else if (filters.from && !DAY.test(filters.from)) problem = { message: t("invalid_input"), param: "from" };
  else if (filters.to && !DAY.test(filters.to)) problem = { message: t("invalid_input"), param: "to" };
  else if (filters.from && filters.to && filters.from > filters.to) problem = { message: "`from` must not be after `to`", param: "from" };
  const { caller } = c.get("scope");
  const result = problem
    ? { rows: [], total: 0 }
    : await listPayments(
        database(c.env.DB),
        caller.merchant_id,
        caller.mode,
        {
          status: filters.status || undefined,
          from_ms: filters.from ? Date.parse(`${filters.from}T00:00:00Z`) : undefined,
          to_ms: filters.to ? Date.parse(`${filters.to}T23:59:59.999Z`) : undefined,
        },
        PER_PAGE,
        (page - 1) * PER_PAGE,
      );
  const node = (
    <PaymentsPage
      p={pageProps(c, "payments")}
      {...result}
      page={page}
      per_page={PER_PAGE}
      url={c.req.url}
      filters={filters}
      problem={problem}
    />
  );
  return render(c, node, problem ? 422 : 200);
});

function actor(c: Context<DashEnv>): PaymentActor {
  return {
    env: c.env,
    merchant: c.get("scope").caller,
    clock: c.get("clock"),
    cause: { request_id: c.get("requestId"), idempotency_key: null },
  };
}

/** The events about the payment (and its checkout), kept 30 days, each with its delivery attempts. */
async function eventsOf(c: Context<DashEnv>, ids: string[]): Promise<EventWithDeliveries[]> {
  const db = database(c.env.DB);
  const scope = c.get("scope").caller;
  const since = c.get("clock").now_ms() - EVENT_RETENTION_MS;
  const found = (await Promise.all(ids.map((id) => eventsAbout(db, scope, id, since, 25)))).flat();
  const events = [...new Map(found.map((e) => [e.id, e])).values()].sort((a, b) => b.created_at_ms - a.created_at_ms).slice(0, 40);
  const deliveries = await deliveriesOfEvents(
    db,
    scope,
    events.map((e) => e.id),
  );
  return events.map((e) => ({ ...e, deliveries: deliveries.filter((d) => d.event_id === e.id) }));
}

type Failed = { action: PaymentAction; problem: Problem; values: Record<string, string> };

async function paymentPage(
  c: Context<DashEnv>,
  id: string,
  extra: { failed?: Failed; done?: string } = {},
  status: ContentfulStatusCode = 200,
) {
  const { found } = await openPayment(actor(c), id);
  const events = await eventsOf(c, [found.payment.id, found.payment.checkout_id]);
  const denied = denial(c, actInMode(c));
  const node = (
    <PaymentPage
      p={pageProps(c, "payments")}
      payment={found.payment}
      refunds={found.refunds}
      events={events}
      denied={denied}
      op={randomBase62(24)}
      {...extra}
    />
  );
  return render(c, node, status);
}

paymentRoutes.get("/payments/:id", (c) => paymentPage(c, c.req.param("id")));

/**
 * The form's `op` names the operation: a form sent twice (a double click, a reload) is one capture
 * or refund. Every form of ours carries one; a post without it is refused rather than given a fresh
 * id, which would let a repeat move money twice.
 */
async function operationOf(c: Context<DashEnv>, form: Record<string, string>): Promise<string | null> {
  const { merchant_id, mode } = c.get("scope");
  if (!/^[A-Za-z0-9]{16,64}$/.test(form.op ?? "")) return null;
  return operationIdFor(`dashboard:${merchant_id}:${mode}`, form.op);
}

function amountField(c: Context<DashEnv>, text: string | undefined, currency: Currency): Attempt<number | undefined> {
  if (!text || text.trim() === "") return { ok: true, value: undefined };
  const minor = parseAmount(text, currency);
  // Zero is not an amount: a capture or refund of nothing is refused here, as the API refuses it.
  if (minor === null || minor < 1) return invalid("amount", c.get("t")("amount_invalid", { example: amountExample(currency) }));
  return { ok: true, value: minor };
}

async function act(c: Context<DashEnv>, action: PaymentAction) {
  const id = c.req.param("id") ?? "";
  const form = await formOf(c);
  const { found } = await openPayment(actor(c), id);
  const currency = found.payment.currency as Currency;
  const operation_id = await operationOf(c, form);
  const amount = amountField(c, form.amount, currency);
  const reason = (form.reason ?? "").trim();
  const mayAct = () => {
    if (!can(c.get("scope").role, actInMode(c))) throw new ApiError("insufficient_role", denial(c, actInMode(c)) ?? "");
  };
  const result: Attempt<unknown> = !amount.ok
    ? amount
    : action === "refund" && (reason.length === 0 || reason.length > 256)
      ? invalid("reason", c.get("t")("invalid_input"))
      : operation_id === null
        ? invalid("op", c.get("t")("form_stale"))
        : await attempt(async () => {
            mayAct();
            if (action === "capture") return capturePayment(actor(c), id, { operation_id, amount: amount.value });
            if (action === "void") return voidPayment(actor(c), id, operation_id);
            return refundPayment(actor(c), id, { operation_id, amount: amount.value, reason, metadata: {} });
          });
  if (!result.ok) return paymentPage(c, id, { failed: { action, problem: result.problem, values: form } }, result.status);
  return c.redirect(`${c.get("scope").base}/payments/${id}`, 303);
}

paymentRoutes.post("/payments/:id/capture", (c) => act(c, "capture"));
paymentRoutes.post("/payments/:id/void", (c) => act(c, "void"));
paymentRoutes.post("/payments/:id/refund", (c) => act(c, "refund"));

/** Sends an event again to every subscribed endpoint; back to the page it was sent from. */
paymentRoutes.post("/events/:id/redeliver", async (c) => {
  const scope = c.get("scope");
  if (!can(scope.role, actInMode(c))) throw new ApiError("insufficient_role", denial(c, actInMode(c)) ?? "");
  await redeliverEvent(database(c.env.DB), c.env.WEBHOOKS, scope.caller, c.req.param("id").slice(0, 64), undefined);
  const back = c.req.header("Referer");
  const path = back && new URL(back).origin === new URL(c.req.url).origin ? new URL(back).pathname : `${scope.base}/webhooks`;
  return c.redirect(path.startsWith(scope.base) ? path : `${scope.base}/webhooks`, 303);
});
