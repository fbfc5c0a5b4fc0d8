import type { FC } from "hono/jsx";
import type { UserRow } from "../../db/users";
import { CURRENCY_CODES } from "../../domain/currencies";
import { ENTRY_TYPES } from "../../domain/ledger";
import type { BalanceView, EntryView } from "../../wallet/types";
import { formatDate, formatMoney, formatNumber } from "../i18n";
import { statusWords } from "../status-words";
import { Alert, Field, Pager, Select, Shell, Status, Word, type PageProps, type Problem, DataTable } from "../layout";

export const UsersPage: FC<{
  p: PageProps;
  rows: UserRow[];
  total: number;
  page: number;
  per_page: number;
  url: string;
  search: string;
}> = ({ p, rows, total, page, per_page, url, search }) => {
  const { t, lang } = p;
  const scope = p.scope!;
  return (
    <Shell p={p} title={t("users")}>
      <form method="get" action={`${scope.base}/users`} class="panel inline-form" role="search" aria-label={t("search")}>
        <Field name="q" label={t("search")} type="search" value={search} />
        <button type="submit" class="secondary">
          {t("search")}
        </button>
      </form>
      <DataTable
        empty={t("none_yet")}
        count={rows.length}
        columns={[{ label: t("external_id") }, { label: t("name") }, { label: t("email") }, { label: t("created") }]}
      >
        {rows.map((u) => (
          <tr>
            <td>
              <a class="mono" href={`${scope.base}/users/${u.id}`}>
                {u.external_id}
              </a>
            </td>
            <td>{u.full_name}</td>
            <td>{u.email ?? ""}</td>
            <td>{formatDate(lang, u.created_at)}</td>
          </tr>
        ))}
      </DataTable>
      <Pager p={p} url={url} page={page} total={total} per_page={per_page} />
    </Shell>
  );
};

export type ChainStatus = { ok: true; entries: number; complete: boolean } | { ok: false; seq: number; reason: string };

export interface TransactionFilters {
  currency: string;
  type: string;
  from: string;
  to: string;
}

export const UserPage: FC<{
  p: PageProps;
  user: UserRow;
  balances: BalanceView[];
  entries: EntryView[];
  total: number;
  page: number;
  per_page: number;
  url: string;
  filters: TransactionFilters;
  chain: ChainStatus;
  problem?: Problem | undefined;
}> = ({ p, user, balances, entries, total, page, per_page, url, filters, chain, problem }) => {
  const { t, lang } = p;
  const scope = p.scope!;
  return (
    <Shell p={p} title={`${t("user")}: ${user.full_name}`}>
      <section class="panel" aria-label={user.external_id}>
        <dl class="facts">
          <dt>{t("external_id")}</dt>
          <dd class="mono">{user.external_id}</dd>
          <dt>Id</dt>
          <dd class="mono">{user.id}</dd>
          <dt>{t("email")}</dt>
          <dd>{user.email ?? "—"}</dd>
          <dt>{t("kyc_level")}</dt>
          <dd>
            <Word value={user.kyc_level} />
          </dd>
          <dt>{t("payouts")}</dt>
          <dd>
            <a href={`${scope.base}/payouts?user=${user.id}`}>{t("payouts")}</a>
          </dd>
          <dt>{t("chain")}</dt>
          <dd data-chain={chain.ok ? "ok" : "broken"}>
            {chain.ok ? (
              <Status value="ok" label={chain.complete ? t("chain_ok", { n: chain.entries }) : t("chain_partial", { n: chain.entries })} />
            ) : (
              <Status value="bad" label={t("chain_broken", { seq: chain.seq, reason: chain.reason })} />
            )}
          </dd>
        </dl>
      </section>
      <h2>{t("balances")}</h2>
      <DataTable
        columns={[
          { label: t("currency") },
          { label: t("available"), num: true },
          { label: t("held"), num: true },
          { label: t("total"), num: true },
        ]}
      >
        {balances.map((b) => (
          <tr>
            <td>{b.currency}</td>
            <td class="num">{formatMoney(lang, b.available, b.currency)}</td>
            <td class="num">{formatMoney(lang, b.held, b.currency)}</td>
            <td class="num">{formatMoney(lang, b.total, b.currency)}</td>
          </tr>
        ))}
      </DataTable>
      <h2>{t("transactions")}</h2>
      <form method="get" action={`${scope.base}/users/${user.id}`} class="panel inline-form" role="search" aria-label={t("filter")}>
        <Select
          name="currency"
          label={t("currency")}
          value={filters.currency}
          problem={problem}
          options={[{ value: "", label: t("all") }, ...CURRENCY_CODES.map((c) => ({ value: c, label: c }))]}
        />
        <Select
          name="type"
          label={t("type")}
          value={filters.type}
          problem={problem}
          options={[{ value: "", label: t("all") }, ...ENTRY_TYPES.map((e) => ({ value: e, label: statusWords(e, p.lang) }))]}
        />
        <Field name="from" label={t("from")} type="date" value={filters.from} problem={problem} />
        <Field name="to" label={t("to")} type="date" value={filters.to} problem={problem} />
        <button type="submit" class="secondary">
          {t("filter")}
        </button>
      </form>
      <Alert problem={problem} fields={["currency", "type", "from", "to"]} />
      <DataTable
        empty={t("none_yet")}
        count={entries.length}
        columns={[
          { label: t("date") },
          { label: t("type") },
          { label: t("amount"), num: true },
          { label: t("balance_after"), num: true },
          { label: t("reference") },
          { label: t("description") },
        ]}
      >
        {entries.map((e) => (
          <tr>
            <td>{formatDate(lang, e.created_at)}</td>
            <td>
              <Status value={e.type} />
            </td>
            <td class="num">{formatMoney(lang, e.amount, e.currency)}</td>
            <td class="num">{formatMoney(lang, e.balance_after, e.currency)}</td>
            <td class="mono">{e.reference ?? ""}</td>
            <td>{e.description ?? ""}</td>
          </tr>
        ))}
      </DataTable>
      <Pager p={p} url={url} page={page} total={total} per_page={per_page} />
      <p class="hint">
        {formatNumber(lang, total)} · {t("time_zone_note")}
      </p>
    </Shell>
  );
};
