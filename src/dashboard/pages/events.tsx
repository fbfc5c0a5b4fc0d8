import type { FC } from "hono/jsx";
import type { DeliveryRow } from "../../db/webhooks";
import { formatDate, formatNumber } from "../i18n";
import { Csrf, Status, Submit, type PageProps, DataTable } from "../layout";

export interface EventWithDeliveries {
  id: string;
  type: string;
  created_at_ms: number;
  deliveries: DeliveryRow[];
}

/** Delivery attempts, newest first: when, the outcome, the receiver's status, latency, the next retry. */
export const DeliveriesTable: FC<{ p: PageProps; deliveries: DeliveryRow[]; showEvent?: boolean }> = ({ p, deliveries, showEvent }) => {
  const { t, lang } = p;
  if (deliveries.length === 0) return <p class="hint">{t("none_yet")}</p>;
  return (
    <DataTable
      columns={[
        { label: t("date") },
        ...(showEvent ? [{ label: t("event") }] : []),
        { label: t("attempt") },
        { label: t("outcome") },
        { label: "HTTP", num: true },
        { label: t("latency"), num: true },
        { label: t("next_retry") },
        { label: t("response") },
      ]}
    >
      {deliveries.map((d) => (
        <tr data-delivery={d.id}>
          <td>{formatDate(lang, d.attempted_at_ms)}</td>
          {showEvent ? <td class="mono">{d.event_id}</td> : null}
          <td class="num">{formatNumber(lang, d.attempt)}</td>
          <td>
            <Status value={d.outcome} />
          </td>
          <td class="num">{d.response_status ?? "—"}</td>
          <td class="num">{d.latency_ms === null ? "—" : `${formatNumber(lang, d.latency_ms)} ms`}</td>
          <td>{d.next_retry_at_ms === null ? "—" : formatDate(lang, d.next_retry_at_ms)}</td>
          <td>
            <code>{(d.response_excerpt ?? "").slice(0, 120)}</code>
          </td>
        </tr>
      ))}
    </DataTable>
  );
};

/** The events about an object, each with its deliveries and a button to send it again. */
export const EventsTable: FC<{ p: PageProps; events: EventWithDeliveries[]; denied: string | null }> = ({ p, events, denied }) => {
  const { t, lang } = p;
  const scope = p.scope!;
  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">
        {t("events")} · {t("deliveries")}
      </h2>
      {events.length === 0 ? <p class="panel">{t("none_yet")}</p> : null}
      {events.map((e) => (
        <div class="panel" data-event={e.id}>
          <p>
            <strong>{e.type}</strong> <span class="mono">{e.id}</span> · {formatDate(lang, e.created_at_ms)}
          </p>
          <DeliveriesTable p={p} deliveries={e.deliveries} />
          <form method="post" action={`${scope.base}/events/${e.id}/redeliver`}>
            <Csrf p={p} />
            <Submit label={t("redeliver")} kind="secondary" denied={denied} id={`redeliver-${e.id}`} />
          </form>
        </div>
      ))}
    </section>
  );
};
