import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError } from "../domain/errors";
import { ASSET_VERSION, DASHBOARD_CSS, DASHBOARD_JS } from "./assets";
import { authRoutes } from "./auth-routes";
import type { DashEnv } from "./context";
import { homeRoutes } from "./home-routes";
import { refusalText } from "./error-words";
import { LANG_COOKIE, langOf, translator } from "./i18n";
import { keyRoutes } from "./key-routes";
import { pageProps, render } from "./layout";
import { MessagePage } from "./pages/account";
import { paymentRoutes } from "./payment-routes";
import { payoutRoutes } from "./payout-routes";
import { requireScope } from "./scope";
import { csrfGuard, CsrfRefused, loadSession } from "./session";
import { teamRoutes } from "./team-routes";
import { userRoutes } from "./user-routes";
import { webhookRoutes } from "./webhook-routes";

/**
 * The merchant dashboard at /admin (docs/guides/dashboard.md): server-rendered pages over the same
 * services and role rules as the API. Every page: a strict CSP (our own files only), no caching,
 * the language, the session, and the CSRF checks on every form.
 */
export const dashboardRoutes = new Hono<DashEnv>();

dashboardRoutes.get(`/assets/dashboard-${ASSET_VERSION}.css`, (c) => {
  c.header("Cache-Control", "public, max-age=31536000, immutable");
  return c.body(DASHBOARD_CSS, 200, { "Content-Type": "text/css; charset=utf-8" });
});
dashboardRoutes.get(`/assets/dashboard-${ASSET_VERSION}.js`, (c) => {
  c.header("Cache-Control", "public, max-age=31536000, immutable");
  return c.body(DASHBOARD_JS, 200, { "Content-Type": "text/javascript; charset=utf-8" });
});

const secure = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
  xFrameOptions: "DENY",
  referrerPolicy: "same-origin",
});

const language = createMiddleware<DashEnv>(async (c, next) => {
  const lang = langOf(getCookie(c, LANG_COOKIE));
  c.set("lang", lang);
  c.set("t", translator(lang));
  await next();
});

dashboardRoutes.use("*", async (c, next) => {
  await secure(c, next);
  c.res.headers.set("Cache-Control", "no-store");
});
dashboardRoutes.use(
  "*",
  bodyLimit({
    maxSize: 64 * 1024,
    onError: () => {
      throw new ApiError("payload_too_large", "Forms are limited to 64 KiB.");
    },
  }),
);
dashboardRoutes.use("*", language, loadSession, csrfGuard);

dashboardRoutes.onError(async (error, c) => {
  if (!c.get("t")) {
    c.set("lang", "en");
    c.set("t", translator("en"));
  }
  const t = c.get("t");
  const p = pageProps(c);
  if (error instanceof CsrfRefused) return render(c, <MessagePage p={p} title={t("forbidden_title")} message={t("csrf_refused")} />, 403);
  if (error instanceof ApiError && error.code === "resource_missing")
    return render(c, <MessagePage p={p} title={t("not_found_title")} message={t("not_found")} />, 404);
  if (error instanceof ApiError && error.status < 500)
    return render(
      c,
      <MessagePage p={p} title={t("forbidden_title")} message={refusalText(error, c.get("lang"))} />,
      error.status as ContentfulStatusCode,
    );
  console.error(JSON.stringify({ request_id: c.get("requestId"), dashboard_error: String(error), stack: error.stack }));
  return render(c, <MessagePage p={p} title={t("error_title")} message={t("error_body", { id: c.get("requestId") })} />, 500);
});

dashboardRoutes.route("/", authRoutes);

const merchantPages = new Hono<DashEnv>();
merchantPages.use("*", requireScope);
merchantPages.route("/", homeRoutes);
merchantPages.route("/", keyRoutes);
merchantPages.route("/", paymentRoutes);
merchantPages.route("/", payoutRoutes);
merchantPages.route("/", userRoutes);
merchantPages.route("/", webhookRoutes);
merchantPages.route("/", teamRoutes);
dashboardRoutes.route("/m/:merchant_id/:mode", merchantPages);

dashboardRoutes.all("*", (c) => {
  const t = c.get("t");
  return render(c, <MessagePage p={pageProps(c)} title={t("not_found_title")} message={t("not_found")} />, 404);
});
