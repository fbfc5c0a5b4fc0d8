import type { FC } from "hono/jsx";
import { ROLES, type Role } from "../../domain/roles";
import { formatDate } from "../i18n";
import { Alert, Csrf, Field, Select, Shell, Submit, type PageProps, type Problem, DataTable } from "../layout";

export interface MemberRow {
  account_id: string;
  email: string;
  name: string | null;
  role: Role;
  created_at: string;
}

const roleOptions = ROLES.map((r) => ({ value: r, label: r }));

export const TeamPage: FC<{
  p: PageProps;
  members: MemberRow[];
  me: string;
  denied: string | null;
  problem?: Problem | undefined;
  values?: Record<string, string> | undefined;
}> = ({ p, members, me, denied, problem, values = {} }) => {
  const { t, lang } = p;
  const scope = p.scope!;
  return (
    <Shell p={p} title={t("team")}>
      <Alert problem={problem} fields={["email", "role"]} />
      <DataTable
        columns={[
          { label: t("email") },
          { label: t("name") },
          { label: t("role") },
          { label: t("created") },
          { label: t("remove"), hidden: true },
        ]}
      >
        {members.map((m) => (
          <tr>
            <td>
              {m.email}
              {m.account_id === me ? ` (${t("you")})` : ""}
            </td>
            <td>{m.name ?? ""}</td>
            <td>
              <form method="post" action={`${scope.base}/team`} class="inline-form">
                <Csrf p={p} />
                <input type="hidden" name="email" value={m.email} />
                <Select name="role" id={`role-${m.account_id}`} label={`${t("role")}: ${m.email}`} options={roleOptions} value={m.role} />
                <Submit label={t("change_role")} kind="secondary" denied={denied} id={`change-${m.account_id}`} />
              </form>
            </td>
            <td>{formatDate(lang, m.created_at)}</td>
            <td>
              <form method="post" action={`${scope.base}/team/${m.account_id}/remove`} data-confirm={`${t("remove")} ${m.email}?`}>
                <Csrf p={p} />
                <Submit label={t("remove")} kind="danger" denied={denied} id={`remove-${m.account_id}`} />
              </form>
            </td>
          </tr>
        ))}
      </DataTable>
      <h2 id="invite">{t("invite")}</h2>
      <form method="post" action={`${scope.base}/team`} class="panel inline-form" aria-labelledby="invite" novalidate>
        <Csrf p={p} />
        <Field
          name="email"
          id="invite-email"
          label={t("email")}
          type="email"
          value={values.email}
          problem={problem}
          hint={t("invite_hint")}
        />
        <Select name="role" id="invite-role" label={t("role")} options={roleOptions} value={values.role ?? "developer"} problem={problem} />
        <Submit label={t("invite")} denied={denied} id="invite-button" />
      </form>
    </Shell>
  );
};
