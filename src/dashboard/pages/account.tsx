import type { FC } from "hono/jsx";
import type { Role } from "../../domain/roles";
import { Alert, Csrf, Field, Plain, type PageProps, type Problem } from "../layout";

/** Pages outside a merchant: sign-up, log-in, the account's merchants, and the error pages. */

type FormValues = Record<string, string | undefined>;

export const SignupPage: FC<{ p: PageProps; problem?: Problem | undefined; values?: FormValues }> = ({ p, problem, values = {} }) => (
  <Plain p={p} title={p.t("sign_up")}>
    <form method="post" action="/admin/signup" class="panel" novalidate>
      <Alert problem={problem} fields={["name", "email", "password"]} />
      <Field name="name" label={p.t("your_name")} value={values.name} problem={problem} autocomplete="name" />
      <Field name="email" label={p.t("email")} type="email" value={values.email} problem={problem} autocomplete="email" required />
      <Field
        name="password"
        label={p.t("password")}
        type="password"
        problem={problem}
        hint={p.t("password_hint")}
        autocomplete="new-password"
        required
      />
      <button type="submit">{p.t("sign_up")}</button>
    </form>
    <p>
      {p.t("have_account")} <a href="/admin/login">{p.t("log_in")}</a>
    </p>
  </Plain>
);

export const LoginPage: FC<{ p: PageProps; problem?: Problem | undefined; email?: string | undefined }> = ({ p, problem, email }) => (
  <Plain p={p} title={p.t("log_in")}>
    <form method="post" action="/admin/login" class="panel" novalidate>
      <Alert problem={problem} fields={["email", "password"]} />
      <Field name="email" label={p.t("email")} type="email" value={email} problem={problem} autocomplete="username" required />
      <Field name="password" label={p.t("password")} type="password" problem={problem} autocomplete="current-password" required />
      <button type="submit">{p.t("log_in")}</button>
    </form>
    <p>
      {p.t("no_account")} <a href="/admin/signup">{p.t("sign_up")}</a>
    </p>
  </Plain>
);

export const MerchantsPage: FC<{
  p: PageProps;
  merchants: { id: string; name: string; role: Role }[];
  problem?: Problem | undefined;
  values?: FormValues;
}> = ({ p, merchants, problem, values = {} }) => (
  <Plain p={p} title={merchants.length > 0 ? p.t("merchants") : p.t("new_merchant")}>
    {merchants.length > 0 ? (
      <ul class="merchant-list">
        {merchants.map((m) => (
          <li>
            <a href={`/admin/m/${m.id}/sandbox`}>{m.name}</a> <span class="status">{m.role}</span>
          </li>
        ))}
      </ul>
    ) : null}
    <form method="post" action="/admin/merchants" class="panel" novalidate>
      {merchants.length > 0 ? <h2>{p.t("new_merchant")}</h2> : null}
      <Csrf p={p} />
      <Alert problem={problem} fields={["name", "website"]} />
      <Field name="name" label={p.t("merchant_name")} value={values.name} problem={problem} required autocomplete="organization" />
      <Field name="website" label={p.t("website")} type="url" value={values.website} problem={problem} autocomplete="url" />
      <button type="submit">{p.t("create")}</button>
    </form>
  </Plain>
);

export const MessagePage: FC<{ p: PageProps; title: string; message: string }> = ({ p, title, message }) => (
  <Plain p={p} title={title}>
    <p class="panel">{message}</p>
    <p>
      <a href="/admin">{p.t("dashboard")}</a>
    </p>
  </Plain>
);
