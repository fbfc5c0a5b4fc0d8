import type { FC } from "hono/jsx";
import type { PaymentRow } from "../../db/payments";
import type { Currency } from "../../domain/currencies";
import type { PaymentView, RefundView } from "../../payments/views";
import { formatDate, formatMoney } from "../i18n";
import { Alert, Csrf, Field, Pager, Select, Shell, Status, Submit, Word, type PageProps, type Problem, DataTable } from "../layout";
import { statusWords } from "../status-words";
import { EventsTable, type EventWithDeliveries } from "./events";

export const PAYMENT_STATUSES = ["authorized", "captured", "partially_refunded", "refunded", "voided", "expired"] as const;

export interface PaymentFilters {
  status: string;
  from: string;
  to: string;
}

export const PaymentsPage: FC<{
  p: PageProps;
  rows: PaymentRow[];
  total: number;
  page: number;
  per_page: number;
  url: string;
  filters: PaymentFilters;
  problem?: Problem | undefined;
}> = ({ p, rows, total, page, per_page, url, filters, problem }) => {
  const { t, lang } = p;
  const scope = p.scope!;
  return (
    <Shell p={p} title={t("payments")}>
      <form method="get" action={`${scope.base}/payments`} class="panel inline-form" role="search" aria-label={t("filter")}>
        <Select
          name="status"
          label={t("status")}
          value={filters.status}
          problem={problem}
          options={[{ value: "", label: t("all") }, ...PAYMENT_STATUSES.map((s) => ({ value: s, label: statusWords(s, p.lang) }))]}
        />
        <Field name="from" label={t("from")} type="date" value={filters.from} problem={problem} />
        <Field name="to" label={t("to")} type="date" value={filters.to} problem={problem} />
        <button type="submit" class="secondary">
          {t("filter")}
        </button>
      </form>
      <Alert problem={problem} fields={["status", "from", "to"]} />
      <DataTable
        empty={t("none_yet")}
        count={rows.length}
        columns={[
          { label: t("date") },
          { label: "Id" },
          { label: t("status") },
          { label: t("method") },
          { label: t("amount"), num: true },
          { label: t("captured"), num: true },
          { label: t("refunded"), num: true },
        ]}
      >
        {rows.map((r) => {
          const currency = r.currency as Currency;
          return (
            <tr>
              <td>{formatDate(lang, r.created_at_ms)}</td>
              <td>
                <a class="mono" href={`${scope.base}/payments/${r.id}`}>
                  {r.id}
                </a>
              </td>
              <td>
                <Status value={r.status} />
              </td>
              <td>
                <Word value={r.method} />
              </td>
              <td class="num">{formatMoney(lang, r.amount, currency)}</td>
              <td class="num">{formatMoney(lang, r.captured_amount, currency)}</td>
              <td class="num">{formatMoney(lang, r.refunded_amount, currency)}</td>
            </tr>
          );
        })}
      </DataTable>
      <Pager p={p} url={url} page={page} total={total} per_page={per_page} />
      <p class="hint">{t("time_zone_note")}</p>
    </Shell>
  );
};

/** Which form a refusal belongs to, so it is shown at that form's field. */
export type PaymentAction = "capture" | "void" | "refund";

export const PaymentPage: FC<{
  p: PageProps;
  payment: PaymentView;
  refunds: RefundView[];
  events: EventWithDeliveries[];
  denied: string | null;
  op: string;
  failed?: { action: PaymentAction; problem: Problem; values: Record<string, string> } | undefined;
  done?: string | undefined;
}> = ({ p, payment, refunds, events, denied, op, failed, done }) => {
  const { t, lang } = p;
  const scope = p.scope!;
  const currency = payment.currency as Currency;
  const money = (n: number) => formatMoney(lang, n, currency);
  const action = `${scope.base}/payments/${payment.id}`;
  const problemOf = (a: PaymentAction) => (failed?.action === a ? failed.problem : undefined);
  // A top-up's money is the user's: it is not refunded to the card (the API refuses it too).
  const refundable = payment.top_up ? 0 : payment.captured_amount - payment.refunded_amount;
  return (
    <Shell p={p} title={`${t("payments")}: ${payment.id}`}>
      {done ? (
        <p class="notice" role="status">
          {done}
        </p>
      ) : null}
      <section class="panel" aria-label={payment.id}>
        <dl class="facts">
          <dt>{t("status")}</dt>
          <dd>
            <Status value={payment.status} />
          </dd>
          <dt>{t("amount")}</dt>
          <dd>{money(payment.amount)}</dd>
          <dt>{t("captured")}</dt>
          <dd>
            {money(payment.captured_amount)}
            {payment.captured_at ? ` · ${formatDate(lang, payment.captured_at)}` : ""}
          </dd>
          <dt>{t("refunded")}</dt>
          <dd>{money(payment.refunded_amount)}</dd>
          <dt>{t("net")}</dt>
          <dd>{money(payment.net_amount)}</dd>
          <dt>{t("commission")}</dt>
          <dd>{money(payment.commission_amount)}</dd>
          <dt>{t("merchant_amount")}</dt>
          <dd>{money(payment.merchant_amount)}</dd>
          {payment.top_up ? (
            <>
              <dt>{t("top_up")}</dt>
              <dd id="top-up">
                {t("top_up_fee", {
                  amount: money(payment.top_up.amount),
                  fee: money(payment.top_up.fee_amount),
                  bearer: t(payment.top_up.fee_bearer === "buyer" ? "fee_buyer" : "fee_merchant"),
                })}
              </dd>
            </>
          ) : null}
          <dt>{t("method")}</dt>
          <dd>{payment.card ? `${payment.card.brand} ····${payment.card.last4}` : <Word value={payment.method} />}</dd>
          <dt>{t("buyer")}</dt>
          <dd>
            {payment.user_id ? (
              <a class="mono" href={`${scope.base}/users/${payment.user_id}`}>
                {payment.external_user_id ?? payment.user_id}
              </a>
            ) : (
              "—"
            )}
          </dd>
          <dt>{t("description")}</dt>
          <dd>{payment.description ?? "—"}</dd>
          <dt>{t("created")}</dt>
          <dd>{formatDate(lang, payment.created_at)}</dd>
          {payment.capture_before ? (
            <>
              <dt>{t("capture_before")}</dt>
              <dd>{formatDate(lang, payment.capture_before)}</dd>
            </>
          ) : null}
          {payment.refund_before ? (
            <>
              <dt>{t("refund_before")}</dt>
              <dd>{formatDate(lang, payment.refund_before)}</dd>
            </>
          ) : null}
        </dl>
      </section>
      {payment.status === "authorized" ? (
        <div class="grid">
          <form method="post" action={`${action}/capture`} class="panel" aria-labelledby="capture-title">
            <h2 id="capture-title">{t("capture")}</h2>
            <Csrf p={p} />
            <input type="hidden" name="op" value={op} />
            <Alert problem={problemOf("capture")} fields={["amount"]} />
            <Field
              name="amount"
              id="capture-amount"
              label={t("amount_optional")}
              inputmode="decimal"
              value={failed?.action === "capture" ? failed.values.amount : ""}
              problem={problemOf("capture")}
            />
            <Submit label={t("capture")} denied={denied} id="capture-button" />
          </form>
          <form method="post" action={`${action}/void`} class="panel" aria-labelledby="void-title" data-confirm={`${t("void")}?`}>
            <h2 id="void-title">{t("void")}</h2>
            <Csrf p={p} />
            <input type="hidden" name="op" value={op} />
            <Alert problem={problemOf("void")} />
            <Submit label={t("void")} kind="danger" denied={denied} id="void-button" />
          </form>
        </div>
      ) : null}
      {refundable > 0 ? (
        <form method="post" action={`${action}/refund`} class="panel" aria-labelledby="refund-title">
          <h2 id="refund-title">{t("refund")}</h2>
          <Csrf p={p} />
          <input type="hidden" name="op" value={op} />
          <Alert problem={problemOf("refund")} fields={["amount", "reason"]} />
          <div class="inline-form">
            <Field
              name="amount"
              id="refund-amount"
              label={t("amount_optional")}
              inputmode="decimal"
              value={failed?.action === "refund" ? failed.values.amount : ""}
              problem={problemOf("refund")}
            />
            <Field
              name="reason"
              id="refund-reason"
              label={t("reason")}
              value={failed?.action === "refund" ? failed.values.reason : ""}
              problem={problemOf("refund")}
              required
            />
            <Submit label={t("refund")} denied={denied} id="refund-button" />
          </div>
        </form>
      ) : null}
      <h2>{t("refunds")}</h2>
      <DataTable
        empty={t("none_yet")}
        count={refunds.length}
        columns={[{ label: t("date") }, { label: "Id" }, { label: t("amount"), num: true }, { label: t("reason") }, { label: t("status") }]}
      >
        {refunds.map((r) => (
          <tr>
            <td>{formatDate(lang, r.created_at)}</td>
            <td class="mono">{r.id}</td>
            <td class="num">{money(r.amount)}</td>
            <td>{r.reason}</td>
            <td>
              <Status value={r.status} />
            </td>
          </tr>
        ))}
      </DataTable>
      <EventsTable p={p} events={events} denied={denied} />
    </Shell>
  );
};
