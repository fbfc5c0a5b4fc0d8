import { z } from "@hono/zod-openapi";
import { Hono, type Context } from "hono";
import { setCookie } from "hono/cookie";
import { listMerchantsOfAccount } from "../db/accounts";
import { database } from "../db/client";
import { ApiError } from "../domain/errors";
import { normalizeEmail } from "../domain/password-policy";
import type { AppEnv } from "../http/context";
import { throttledLogin } from "../http/login-throttle";
import { checkPassword, registerAccount } from "../services/accounts";
import { createMerchant } from "../services/merchants";
import type { DashEnv } from "./context";
import { LANG_COOKIE, langOf } from "./i18n";
import { pageProps, render } from "./layout";
import { attempt, invalid } from "./outcome";
import { LoginPage, MerchantsPage, SignupPage } from "./pages/account";
import { KeysPage } from "./pages/keys";
import { listApiKeys } from "../db/api-keys";
import { buildScope } from "./scope";
import { cookieOptions, endSession, formOf, startSession } from "./session";

/** Signing up, logging in and out, the language, and the account's merchants (creating one). */
export const authRoutes = new Hono<DashEnv>();

const emailSchema = z.email().max(254);
const nameSchema = z.string().trim().min(1).max(100);

authRoutes.get("/", async (c) => {
  const session = c.get("session");
  if (!session) return c.redirect("/admin/login", 303);
  const merchants = await listMerchantsOfAccount(database(c.env.DB), session.account_id);
  if (merchants.length === 1) return c.redirect(`/admin/m/${merchants[0]!.id}/sandbox`, 303);
  return render(c, <MerchantsPage p={pageProps(c)} merchants={merchants} />);
});

authRoutes.get("/signup", (c) => (c.get("session") ? c.redirect("/admin", 303) : render(c, <SignupPage p={pageProps(c)} />)));

authRoutes.post("/signup", async (c) => {
  const form = await formOf(c);
  const t = c.get("t");
  const values = { name: form.name ?? "", email: form.email ?? "" };
  const name = values.name.trim();
  const result = !emailSchema.safeParse(values.email.trim()).success
    ? invalid("email", t("invalid_input"))
    : name !== "" && !nameSchema.safeParse(name).success
      ? invalid("name", t("invalid_input"))
      : await attempt(() =>
          registerAccount(database(c.env.DB), {
            email: values.email.trim(),
            password: (form.password ?? "").slice(0, 1024),
            name: name || undefined,
            now_ms: c.get("clock").now_ms(),
          }),
        );
  if (!result.ok) return render(c, <SignupPage p={pageProps(c)} problem={result.problem} values={values} />, result.status);
  await startSession(c, result.value.id);
  return c.redirect("/admin", 303);
});

authRoutes.get("/login", (c) => (c.get("session") ? c.redirect("/admin", 303) : render(c, <LoginPage p={pageProps(c)} />)));

authRoutes.post("/login", async (c) => {
  const form = await formOf(c);
  const email = normalizeEmail((form.email ?? "").slice(0, 254));
  const password = (form.password ?? "").slice(0, 1024);
  // The API's throttle, counted in the same object per email: the dashboard is no way around it.
  const result = await attempt(async () => {
    const account = await throttledLogin(c as unknown as Context<AppEnv>, email, () => checkPassword(database(c.env.DB), email, password));
    if (!account) throw new ApiError("invalid_credentials", "Email or password is incorrect.");
    return account;
  });
  if (!result.ok) {
    const res = await render(c, <LoginPage p={pageProps(c)} problem={result.problem} email={email} />, result.status === 429 ? 429 : 401);
    return res;
  }
  await startSession(c, result.value.id);
  return c.redirect("/admin", 303);
});

authRoutes.post("/logout", async (c) => {
  await endSession(c);
  return c.redirect("/admin/login", 303);
});

authRoutes.post("/lang", async (c) => {
  const form = await formOf(c);
  setCookie(c, LANG_COOKIE, langOf(form.lang), { ...cookieOptions(c, 365 * 24 * 3600), httpOnly: false });
  const back = c.req.header("Referer");
  const target = back && new URL(back).origin === new URL(c.req.url).origin ? new URL(back).pathname : "/admin";
  return c.redirect(target.startsWith("/admin") ? target : "/admin", 303);
});

async function merchantsPage(c: Context<DashEnv>) {
  const session = c.get("session")!;
  return listMerchantsOfAccount(database(c.env.DB), session.account_id);
}

authRoutes.get("/merchants", async (c) => {
  if (!c.get("session")) return c.redirect("/admin/login", 303);
  return render(c, <MerchantsPage p={pageProps(c)} merchants={await merchantsPage(c)} />);
});

/** A new merchant lands on its sandbox keys, the secret and publishable key shown once. */
authRoutes.post("/merchants", async (c) => {
  const session = c.get("session");
  if (!session) return c.redirect("/admin/login", 303);
  const form = await formOf(c);
  const t = c.get("t");
  const values = { name: (form.name ?? "").trim(), website: (form.website ?? "").trim() };
  const website = z.url({ protocol: /^https?$/ }).max(2048);
  const result = !nameSchema.safeParse(values.name).success
    ? invalid("name", t("invalid_input"))
    : values.website !== "" && !website.safeParse(values.website).success
      ? invalid("website", t("invalid_input"))
      : await attempt(() =>
          createMerchant(database(c.env.DB), c.env.DATA_ENCRYPTION_KEY, {
            name: values.name,
            website: values.website || null,
            owner_account_id: session.account_id,
            now_ms: c.get("clock").now_ms(),
          }),
        );
  if (!result.ok) {
    const merchants = await merchantsPage(c);
    return render(c, <MerchantsPage p={pageProps(c)} merchants={merchants} problem={result.problem} values={values} />, result.status);
  }
  const created = result.value;
  const scope = await buildScope(c, created.merchant.id, "sandbox");
  c.set("scope", scope!);
  const keys = await listApiKeys(database(c.env.DB), created.merchant.id);
  const revealed = [
    { label: t("key_secret"), value: created.secret_key },
    { label: t("key_publishable"), value: created.publishable_key },
  ];
  return render(c, <KeysPage p={pageProps(c, "keys")} keys={keys} revealed={revealed} denied={null} />, 201);
});
