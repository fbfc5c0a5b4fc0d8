import type { FC } from "hono/jsx";
import type { ApiKeyRow } from "../../db/api-keys";
import { formatDate } from "../i18n";
import { Alert, Csrf, Field, Secret, Select, Shell, Status, Submit, type PageProps, type Problem, DataTable } from "../layout";

/** Revealed once, right after creation: never stored in the clear, never shown again. */
export interface Revealed {
  label: string;
  value: string;
}

export const KeysPage: FC<{
  p: PageProps;
  keys: ApiKeyRow[];
  revealed?: Revealed[];
  denied: string | null;
  problem?: Problem | undefined;
}> = ({ p, keys, revealed = [], denied, problem }) => {
  const { t, lang } = p;
  const scope = p.scope!;
  const shown = keys.filter((k) => k.mode === scope.mode);
  const typeLabel = { secret: t("key_secret"), publishable: t("key_publishable"), signing: t("key_signing") } as const;
  return (
    <Shell p={p} title={t("keys")}>
      {revealed.length > 0 ? (
        <section class="panel secret" aria-labelledby="new-secrets">
          <h2 id="new-secrets">{t("new_secrets")}</h2>
          <p>{t("shown_once")}</p>
          {revealed.map((r, i) => (
            <Secret id={`secret-${i}`} label={r.label} value={r.value} t={t} />
          ))}
        </section>
      ) : null}
      <Alert problem={problem} fields={["type", "name"]} />
      <DataTable
        columns={[
          { label: t("key") },
          { label: t("key_type") },
          { label: t("name") },
          { label: t("created") },
          { label: t("status") },
          { label: t("revoke"), hidden: true },
        ]}
      >
        {shown.map((k) => (
          <tr>
            <td>
              <code>{k.type === "signing" ? `${k.id} · ${k.masked}` : k.masked}</code>
            </td>
            <td>{typeLabel[k.type]}</td>
            <td>{k.name ?? ""}</td>
            <td>{formatDate(lang, k.created_at)}</td>
            <td>{k.revoked_at ? <Status value="revoked" label={t("revoked")} /> : <Status value="active" label={t("active")} />}</td>
            <td>
              {k.revoked_at ? null : (
                <form method="post" action={`${scope.base}/keys/${k.id}/revoke`} data-confirm={`${t("revoke")} ${k.masked}?`}>
                  <Csrf p={p} />
                  <Submit label={t("revoke")} kind="danger" denied={denied} id={`revoke-${k.id}`} />
                </form>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      <h2 id="create-key">{t("create_key")}</h2>
      <form method="post" action={`${scope.base}/keys`} class="panel inline-form" aria-labelledby="create-key">
        <Csrf p={p} />
        <Select
          name="type"
          label={t("key_type")}
          problem={problem}
          options={[
            { value: "secret", label: t("key_secret") },
            { value: "publishable", label: t("key_publishable") },
            { value: "signing", label: t("key_signing") },
          ]}
        />
        <Field name="name" label={t("key_name")} problem={problem} />
        <Submit label={t("create_key")} denied={denied} id="create-key-button" />
      </form>
    </Shell>
  );
};
