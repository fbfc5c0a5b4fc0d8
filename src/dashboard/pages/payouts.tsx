import type { FC } from "hono/jsx";
import type { Currency } from "../../domain/currencies";
import { PAYOUT_STATUSES } from "../../domain/payout-machine";
import type { PayoutView } from "../../payouts/views";
import { formatDate, formatMoney } from "../i18n";
import { Alert, Csrf, DataTable, Pager, Select, Shell, Status, Submit, Word, type PageProps, type Problem } from "../layout";
import { statusWords } from "../status-words";

export interface PayoutFilters {
  status: string;
  /** A user's id: the list from their page. */
  user: string;
}

/** Payouts, newest first, filtered by status (and by user, from a user's page); a pending one can be canceled from its row. */
export const PayoutsPage: FC<{
  p: PageProps;
  payouts: PayoutView[];
  total: number;
  page: number;
  per_page: number;
  url: string;
  filters: PayoutFilters;
  denied: string | null;
  op: string;
  problem?: Problem | undefined;
}> = ({ p, payouts, total, page, per_page, url, filters, denied, op, problem }) => {
  const { t, lang } = p;
  const scope = p.scope!;
  return (
    <Shell p={p} title={t("payouts")}>
      <form method="get" action={`${scope.base}/payouts`} class="panel inline-form" role="search" aria-label={t("filter")}>
        <Select
          name="status"
          label={t("status")}
          value={filters.status}
          problem={problem}
          options={[{ value: "", label: t("all") }, ...PAYOUT_STATUSES.map((s) => ({ value: s, label: statusWords(s, lang) }))]}
        />
        {filters.user ? <input type="hidden" name="user" value={filters.user} /> : null}
        <button type="submit" class="secondary">
          {t("filter")}
        </button>
      </form>
      <Alert problem={problem} fields={["status", "user", "op"]} />
      <DataTable
        empty={t("none_yet")}
        count={payouts.length}
        columns={[
          { label: t("date") },
          { label: "Id" },
          { label: t("user") },
          { label: t("status") },
          { label: t("destination") },
          { label: t("amount"), num: true },
          { label: t("arrival") },
          { label: t("actions"), hidden: true },
        ]}
      >
        {payouts.map((po) => (
          <tr>
            <td>{formatDate(lang, po.created_at)}</td>
            <td class="mono">{po.id}</td>
            <td>
              {po.user_id ? (
                <a href={`${scope.base}/users/${po.user_id}`} title={po.user_id}>
                  {t("user")}
                </a>
              ) : (
                t("settlement")
              )}
            </td>
            <td>
              <Status value={po.status} />
              {po.failure_code ? (
                <span class="hint"> {lang === "ar" ? statusWords(po.failure_code, lang) : po.failure_message}</span>
              ) : null}
            </td>
            <td>
              <Word value={po.destination.type === "bank_account" ? "bank_account" : po.destination.provider} /> ···{po.destination.last4}
            </td>
            <td class="num">
              {formatMoney(lang, po.amount, po.currency as Currency)}
              {po.fee_amount > 0 ? (
                <span class="hint"> {t("payout_fee", { fee: formatMoney(lang, po.fee_amount, po.currency as Currency) })}</span>
              ) : null}
            </td>
            <td>{po.arrival_date ? formatDate(lang, po.arrival_date) : ""}</td>
            <td>
              {po.status === "pending" ? (
                <form method="post" action={`${scope.base}/payouts/${po.id}/cancel`} data-confirm={`${t("cancel_payout")}?`}>
                  <Csrf p={p} />
                  <input type="hidden" name="op" value={`${op}${po.id.slice(-8)}`} />
                  <Submit label={t("cancel_payout")} kind="danger" denied={denied} id={`cancel-${po.id}`} />
                </form>
              ) : null}
            </td>
          </tr>
        ))}
      </DataTable>
      <Pager p={p} url={url} page={page} total={total} per_page={per_page} />
      <p class="hint">{t("time_zone_note")}</p>
    </Shell>
  );
};
