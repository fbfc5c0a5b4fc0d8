import { createContext, useContext, type Child, type FC } from "hono/jsx";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSX } from "hono/jsx/jsx-runtime";
import { CSS_PATH, JS_PATH } from "./assets";
import type { DashEnv, MerchantScope } from "./context";
import { type Key, type Lang, type T } from "./i18n";
import { refusalText } from "./error-words";
import { statusWords } from "./status-words";
import { CSRF_FIELD } from "./session";

/** The page's language, for the small parts that show a refusal without being handed the page's props. */
const PageLang = createContext<Lang>("en");

/** A refusal's words in the page's language, if it is about this field (or about none, for `field` undefined). */
function useRefusal(problem: Problem | undefined, field?: string): string | undefined {
  const lang = useContext(PageLang);
  if (!problem || (field !== undefined && problem.param !== field)) return undefined;
  return refusalText(problem, lang);
}

/**
 * The dashboard's frame and its small parts. hono/jsx escapes every value; no inline script or
 * style (the CSP forbids both). Forms post back to the page they are on and carry the session's
 * CSRF token.
 */

/** A refusal to show at a field (`param`) or above the form. */
export interface Problem {
  /** The API's error code, when the refusal is the API's: pages in Arabic show its words (error-words.ts). */
  code?: string | undefined;
  message: string;
  param?: string | undefined;
}

export interface PageProps {
  lang: Lang;
  t: T;
  csrf: string | null;
  scope?: MerchantScope | undefined;
  /** The nav entry of this page. */
  section?: Section | undefined;
  email?: string | undefined;
}

export type Section = "home" | "keys" | "payments" | "payouts" | "users" | "webhooks" | "team";
const SECTIONS: { id: Section; path: string; label: Key }[] = [
  { id: "home", path: "", label: "home" },
  { id: "keys", path: "/keys", label: "keys" },
  { id: "payments", path: "/payments", label: "payments" },
  { id: "payouts", path: "/payouts", label: "payouts" },
  { id: "users", path: "/users", label: "users" },
  { id: "webhooks", path: "/webhooks", label: "webhooks" },
  { id: "team", path: "/team", label: "team" },
];

export function pageProps(c: Context<DashEnv>, section?: Section): PageProps {
  const session = c.get("session");
  const scope = c.var.scope as MerchantScope | undefined;
  return { lang: c.get("lang"), t: c.get("t"), csrf: session?.csrf_token ?? null, scope, section, email: session?.email };
}

export async function render(c: Context<DashEnv>, node: JSX.Element, status: ContentfulStatusCode = 200): Promise<Response> {
  return c.html("<!doctype html>" + (await node), status);
}

export const Csrf: FC<{ p: PageProps }> = ({ p }) => (p.csrf ? <input type="hidden" name={CSRF_FIELD} value={p.csrf} /> : null);

const LangSwitch: FC<{ p: PageProps }> = ({ p }) => (
  <form method="post" action="/admin/lang">
    <Csrf p={p} />
    <input type="hidden" name="lang" value={p.lang === "ar" ? "en" : "ar"} />
    <button type="submit" class="secondary" lang={p.lang === "ar" ? "en" : "ar"}>
      {p.t("language")}
    </button>
  </form>
);

export const Document: FC<{ p: PageProps; title: string; children?: Child }> = ({ p, title, children }) => (
  <PageLang.Provider value={p.lang}>
    <html lang={p.lang} dir={p.lang === "ar" ? "rtl" : "ltr"}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} · ${p.t("app")}`}</title>
        <link rel="stylesheet" href={CSS_PATH} />
        <script src={JS_PATH} defer></script>
      </head>
      <body>{children}</body>
    </html>
  </PageLang.Provider>
);

/** A page outside any merchant: sign-up, log-in, the merchant list. */
export const Plain: FC<{ p: PageProps; title: string; children?: Child }> = ({ p, title, children }) => (
  <Document p={p} title={title}>
    <header class="top">
      <a class="brand" href="/admin">
        {p.t("app")}
      </a>
      <LangSwitch p={p} />
      {p.csrf ? <LogoutButton p={p} /> : null}
    </header>
    <main class="narrow" id="content">
      <h1>{title}</h1>
      {children}
    </main>
  </Document>
);

const LogoutButton: FC<{ p: PageProps }> = ({ p }) => (
  <form method="post" action="/admin/logout">
    <Csrf p={p} />
    <button type="submit" class="secondary">
      {p.t("log_out")}
    </button>
  </form>
);

/** A page of one merchant and mode: the header with the mode switch, the section nav, the content. */
export const Shell: FC<{ p: PageProps; title: string; children?: Child }> = ({ p, title, children }) => {
  const scope = p.scope!;
  const other = scope.mode === "sandbox" ? "live" : "sandbox";
  const otherBase = `/admin/m/${scope.merchant_id}/${other}`;
  const mayLive = scope.role === "owner" || scope.role === "admin";
  return (
    <Document p={p} title={title}>
      <a class="skip" href="#content">
        {p.t("skip")}
      </a>
      <header class="top">
        <a class="brand" href="/admin">
          {scope.merchant_name}
        </a>
        <span class={`mode-badge mode-${scope.mode}`}>{p.t(scope.mode)}</span>
        {other === "sandbox" || mayLive ? (
          <a href={otherBase}>{p.t("switch_to", { mode: p.t(other) })}</a>
        ) : (
          <span class="why">{p.t("live_needs_admin")}</span>
        )}
        <LangSwitch p={p} />
        <LogoutButton p={p} />
      </header>
      <div class="layout">
        <nav class="side" aria-label={p.t("nav")}>
          <ul>
            {SECTIONS.map((s) => (
              <li>
                <a href={`${scope.base}${s.path}`} aria-current={p.section === s.id ? "page" : undefined}>
                  {p.t(s.label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="content">
          <h1>{title}</h1>
          {children}
        </main>
      </div>
    </Document>
  );
};

export const Alert: FC<{ problem?: Problem | undefined; fields?: string[] }> = ({ problem, fields = [] }) => {
  const text = useRefusal(problem);
  return problem && !(problem.param && fields.includes(problem.param)) ? (
    <p class="alert" role="alert">
      {text}
    </p>
  ) : null;
};

export const Notice: FC<{ children?: Child }> = ({ children }) => (
  <p class="notice" role="status">
    {children}
  </p>
);

/** A refusal under its field, named by the field's aria-describedby. */
const FieldError: FC<{ id: string; error: string | undefined }> = ({ id, error }) =>
  error ? (
    <p class="field-error" id={`${id}-error`}>
      {error}
    </p>
  ) : null;

/** A labelled input; the refusal whose `param` is its name is shown under it. */
export const Field: FC<{
  name: string;
  label: string;
  type?: string;
  value?: string | undefined;
  problem?: Problem | undefined;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  id?: string;
  inputmode?: "decimal" | "numeric" | "email";
}> = (f) => {
  const id = f.id ?? `f-${f.name}`;
  const error = useRefusal(f.problem, f.name);
  const described = [f.hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class="field">
      <label for={id}>{f.label}</label>
      <input
        id={id}
        name={f.name}
        type={f.type ?? "text"}
        value={f.value ?? ""}
        required={f.required}
        autocomplete={f.autocomplete}
        inputmode={f.inputmode}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={described}
      />
      {f.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {f.hint}
        </p>
      ) : null}
      <FieldError id={id} error={error} />
    </div>
  );
};

export const Select: FC<{
  name: string;
  label: string;
  options: { value: string; label: string }[];
  value?: string | undefined;
  problem?: Problem | undefined;
  id?: string;
}> = (f) => {
  const id = f.id ?? `f-${f.name}`;
  const error = useRefusal(f.problem, f.name);
  return (
    <div class="field">
      <label for={id}>{f.label}</label>
      <select id={id} name={f.name} aria-invalid={error ? "true" : undefined} aria-describedby={error ? `${id}-error` : undefined}>
        {f.options.map((o) => (
          <option value={o.value} selected={o.value === f.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldError id={id} error={error} />
    </div>
  );
};

/** A submit button; when the role does not allow it, disabled with the reason beside it. */
export const Submit: FC<{ label: string; denied?: string | null | undefined; kind?: "danger" | "secondary"; id?: string }> = (b) => {
  const why = b.id ? `${b.id}-why` : undefined;
  return (
    <span>
      <button type="submit" class={b.kind} disabled={Boolean(b.denied)} aria-describedby={b.denied && why ? why : undefined} id={b.id}>
        {b.label}
      </button>
      {b.denied ? (
        <span class="why" id={why}>
          {b.denied}
        </span>
      ) : null}
    </span>
  );
};

/** A secret shown once, with a copy button (the script copies the `<code>`'s text). */
export const Secret: FC<{ id: string; label: string; value: string; t: T }> = ({ id, label, value, t }) => (
  <div class="secret-row">
    <span class="label" id={`${id}-label`}>
      {label}
    </span>
    <code id={id} data-secret="true">
      {value}
    </code>
    <button type="button" class="secondary" data-copy={id} data-copied={t("copied")} aria-describedby={`${id}-label`}>
      {t("copy")}
    </button>
  </div>
);

export const Status: FC<{ value: string; label?: string }> = ({ value, label }) => {
  const lang = useContext(PageLang);
  return <span class={`status status-${value}`}>{label ?? statusWords(value, lang)}</span>;
};

/** A value of the API (a payment method, a state) in the page's words. */
export const Word: FC<{ value: string }> = ({ value }) => <>{statusWords(value, useContext(PageLang))}</>;

/** A column of a table: `num` columns align as numbers; a `hidden` head is for screen readers only. */
export interface Column {
  label: string;
  num?: boolean;
  hidden?: boolean;
}

/**
 * A table with its column heads; the children are its rows. Wide tables scroll inside their frame.
 * With `count` 0 and an `empty` text, that text stands in for the table.
 */
export const DataTable: FC<{ columns: Column[]; count?: number; empty?: string; children?: Child }> = ({
  columns,
  count,
  empty,
  children,
}) =>
  count === 0 && empty !== undefined ? (
    <p class="panel">{empty}</p>
  ) : (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" class={c.num ? "num" : undefined}>
                {c.hidden ? <span class="skip">{c.label}</span> : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );

/** Previous and next links that keep the page's other query parameters. */
export const Pager: FC<{ p: PageProps; url: string; page: number; total: number; per_page: number }> = ({
  p,
  url,
  page,
  total,
  per_page,
}) => {
  const pages = Math.max(1, Math.ceil(total / per_page));
  const link = (n: number) => {
    const next = new URL(url);
    next.searchParams.set("page", String(n));
    return `${next.pathname}${next.search}`;
  };
  return (
    <nav class="pager" aria-label={p.t("page_of", { page, pages })}>
      {page > 1 ? <a href={link(page - 1)}>{p.t("previous")}</a> : null}
      <span>{p.t("page_of", { page, pages })}</span>
      {page < pages ? <a href={link(page + 1)}>{p.t("next")}</a> : null}
    </nav>
  );
};
