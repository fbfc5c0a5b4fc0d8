import type { FC } from "hono/jsx";
import type { DeliveryRow, EndpointRow } from "../../db/webhooks";
import { formatDate } from "../i18n";
import { Alert, Csrf, Field, Pager, Secret, Shell, Status, Submit, type PageProps, type Problem, DataTable } from "../layout";
import { DeliveriesTable } from "./events";

const eventsText = (row: EndpointRow) => (JSON.parse(row.events) as string[]).join(", ");

export const SecretShown: FC<{ p: PageProps; secret: string; note?: string | undefined }> = ({ p, secret, note }) => (
  <section class="panel secret" aria-labelledby="new-secret">
    <h2 id="new-secret">{p.t("signing_secret")}</h2>
    <p>{p.t("shown_once")}</p>
    {note ? <p>{note}</p> : null}
    <Secret id="endpoint-secret" label={p.t("signing_secret")} value={secret} t={p.t} />
  </section>
);

export const WebhooksPage: FC<{
  p: PageProps;
  endpoints: EndpointRow[];
  denied: string | null;
  problem?: Problem | undefined;
  values?: Record<string, string>;
}> = ({ p, endpoints, denied, problem, values = {} }) => {
  const { t, lang } = p;
  const scope = p.scope!;
  return (
    <Shell p={p} title={t("webhooks")}>
      <DataTable
        empty={t("none_yet")}
        count={endpoints.length}
        columns={[{ label: t("url") }, { label: t("events") }, { label: t("status") }, { label: t("created") }]}
      >
        {endpoints.map((e) => (
          <tr>
            <td>
              <a href={`${scope.base}/webhooks/${e.id}`} class="mono">
                {e.url}
              </a>
            </td>
            <td class="mono">{eventsText(e)}</td>
            <td>
              <Status value={e.status} label={e.status === "enabled" ? t("enabled") : t("disabled")} />
            </td>
            <td>{formatDate(lang, e.created_at)}</td>
          </tr>
        ))}
      </DataTable>
      <h2 id="add-endpoint">{t("add_endpoint")}</h2>
      <form method="post" action={`${scope.base}/webhooks`} class="panel" aria-labelledby="add-endpoint" novalidate>
        <Csrf p={p} />
        <Alert problem={problem} fields={["url", "events", "description"]} />
        <Field name="url" label={t("url")} type="url" value={values.url} problem={problem} required />
        <Field name="events" label={t("event_types")} value={values.events ?? "*"} problem={problem} required />
        <Field name="description" label={t("description")} value={values.description} problem={problem} />
        <Submit label={t("add_endpoint")} denied={denied} id="add-endpoint-button" />
      </form>
    </Shell>
  );
};

export const EndpointPage: FC<{
  p: PageProps;
  endpoint: EndpointRow;
  deliveries: DeliveryRow[];
  total: number;
  page: number;
  per_page: number;
  url: string;
  denied: string | null;
  problem?: Problem | undefined;
  values?: Record<string, string> | undefined;
  secret?: { value: string; note: string } | undefined;
}> = ({ p, endpoint, deliveries, total, page, per_page, url, denied, problem, values, secret }) => {
  const { t } = p;
  const scope = p.scope!;
  const action = `${scope.base}/webhooks/${endpoint.id}`;
  const enabled = endpoint.status === "enabled";
  return (
    <Shell p={p} title={`${t("webhooks")}: ${endpoint.id}`}>
      {secret ? <SecretShown p={p} secret={secret.value} note={secret.note} /> : null}
      <p>
        <Status value={endpoint.status} label={enabled ? t("enabled") : t("disabled")} /> {endpoint.disabled_reason ?? ""}
      </p>
      <form method="post" action={action} class="panel" aria-label={t("edit")} novalidate>
        <Csrf p={p} />
        <Alert problem={problem} fields={["url", "events", "description"]} />
        <Field name="url" label={t("url")} type="url" value={values?.url ?? endpoint.url} problem={problem} required />
        <Field name="events" label={t("event_types")} value={values?.events ?? eventsText(endpoint)} problem={problem} required />
        <Field name="description" label={t("description")} value={values?.description ?? endpoint.description ?? ""} problem={problem} />
        <Submit label={t("save")} denied={denied} id="save-endpoint" />
      </form>
      <div class="inline-form">
        <form method="post" action={`${action}/${enabled ? "disable" : "enable"}`}>
          <Csrf p={p} />
          <Submit label={enabled ? t("disable") : t("enable")} kind="secondary" denied={denied} id="toggle-endpoint" />
        </form>
        <form method="post" action={`${action}/rotate`} data-confirm={`${t("rotate_secret")}?`}>
          <Csrf p={p} />
          <Submit label={t("rotate_secret")} kind="secondary" denied={denied} id="rotate-endpoint" />
        </form>
      </div>
      <h2>{t("deliveries")}</h2>
      <DeliveriesTable p={p} deliveries={deliveries} showEvent />
      <Pager p={p} url={url} page={page} total={total} per_page={per_page} />
    </Shell>
  );
};
