import type { FC } from "hono/jsx";
import type { Currency } from "../../domain/currencies";
import { formatMoney, formatNumber } from "../i18n";
import { Shell, Status, type PageProps } from "../layout";
import { VolumeChart, type DayVolume } from "./chart";

export interface HomeData {
  volumes: { currency: Currency; days: DayVolume[] }[];
  counts: { status: string; n: number }[];
  audits: { currency: Currency; balanced: boolean; wallets_total: number; external_credits: number }[];
  settlement: { currency: Currency; available: number }[];
}

export const HomePage: FC<{ p: PageProps; data: HomeData }> = ({ p, data }) => {
  const { t, lang } = p;
  return (
    <Shell p={p} title={t("home")}>
      <h2>{t("volume")}</h2>
      {data.volumes.length === 0 ? <p class="panel">{t("none_yet")}</p> : null}
      {data.volumes.map((v) => (
        <VolumeChart lang={lang} t={t} currency={v.currency} days={v.days} />
      ))}
      <div class="grid">
        <section class="panel" aria-labelledby="by-status">
          <h2 id="by-status">{t("by_status")}</h2>
          {data.counts.length === 0 ? <p>{t("none_yet")}</p> : null}
          <dl class="facts">
            {data.counts.map((c) => (
              <>
                <dt>
                  <Status value={c.status} />
                </dt>
                <dd>{formatNumber(lang, c.n)}</dd>
              </>
            ))}
          </dl>
        </section>
        <section class="panel" aria-labelledby="audit">
          <h2 id="audit">{t("ledger_audit")}</h2>
          <dl class="facts">
            {data.audits.map((a) => (
              <>
                <dt>{a.currency}</dt>
                <dd>
                  {a.balanced ? <Status value="ok" label={t("balanced")} /> : <Status value="bad" label={t("unbalanced")} />}{" "}
                  {formatMoney(lang, a.wallets_total, a.currency)}
                </dd>
              </>
            ))}
          </dl>
        </section>
        <section class="panel" aria-labelledby="settlement">
          <h2 id="settlement">{t("settlement")}</h2>
          <dl class="facts">
            {data.settlement.map((b) => (
              <>
                <dt>{b.currency}</dt>
                <dd>{formatMoney(lang, b.available, b.currency)}</dd>
              </>
            ))}
          </dl>
        </section>
      </div>
    </Shell>
  );
};
