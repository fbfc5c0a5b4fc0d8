import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { sha256Hex, timingSafeEqual } from "../crypto/encoding";
import { findAccountById } from "../db/accounts";
import { database } from "../db/client";
import { findLiveSession, insertSession, revokeSession } from "../db/dashboard-sessions";
import { randomBase62 } from "../domain/ids";
import type { DashEnv } from "./context";

/**
 * Dashboard sessions (docs/guides/dashboard.md, "Sessions"). The cookie carries a random token;
 * D1 keeps its SHA-256 (a leaked table opens no session), the account and a CSRF token of its own.
 * Logging out revokes the row, so the cookie is dead everywhere at once. Real time, never the
 * sandbox clock: sessions protect accounts.
 */
export const SESSION_COOKIE = "mzd_session";
export const SESSION_TTL_MS = 12 * 3600 * 1000;
export const CSRF_FIELD = "_csrf";

/** `Secure` everywhere but on a plain-http localhost, where browsers would drop a Secure cookie. */
function isLocal(c: Context): boolean {
  const host = new URL(c.req.url).hostname;
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]";
}

export function cookieOptions(c: Context, max_age_seconds: number) {
  return { path: "/admin", httpOnly: true, secure: !isLocal(c), sameSite: "Lax" as const, maxAge: max_age_seconds };
}

export async function startSession(c: Context<DashEnv>, account_id: string): Promise<void> {
  const token = randomBase62(43);
  const now_ms = Date.now();
  await insertSession(database(c.env.DB), {
    token_hash: await sha256Hex(token),
    account_id,
    csrf_token: randomBase62(32),
    created_at_ms: now_ms,
    expires_at_ms: now_ms + SESSION_TTL_MS,
    revoked_at_ms: null,
  });
  setCookie(c, SESSION_COOKIE, token, cookieOptions(c, SESSION_TTL_MS / 1000));
}

export async function endSession(c: Context<DashEnv>): Promise<void> {
  const session = c.get("session");
  if (session) await revokeSession(database(c.env.DB), session.token_hash, Date.now());
  deleteCookie(c, SESSION_COOKIE, { path: "/admin", secure: !isLocal(c) });
}

/** Reads the session cookie on every dashboard request; `session` is null when there is none alive. */
export const loadSession = createMiddleware<DashEnv>(async (c, next) => {
  c.set("session", null);
  const token = getCookie(c, SESSION_COOKIE);
  if (token && /^[A-Za-z0-9]{43}$/.test(token)) {
    const db = database(c.env.DB);
    const row = await findLiveSession(db, await sha256Hex(token), Date.now());
    const account = row && (await findAccountById(db, row.account_id));
    if (row && account) {
      c.set("session", {
        token_hash: row.token_hash,
        account_id: account.id,
        email: account.email,
        name: account.name,
        csrf_token: row.csrf_token,
      });
    }
  }
  await next();
});

/** Thrown when a form fails either CSRF check; the dashboard answers it with a 403 page. */
export class CsrfRefused extends Error {}

const sameOrigin = csrf();

/**
 * Two checks on every unsafe request: hono/csrf (the browser's Origin or Sec-Fetch-Site must be this
 * origin), and, once logged in, the session's own token in the form's `_csrf` field.
 */
export const csrfGuard = createMiddleware<DashEnv>(async (c, next) => {
  if (c.req.method === "GET" || c.req.method === "HEAD") return next();
  try {
    await sameOrigin(c, async () => {});
  } catch (error) {
    if (error instanceof HTTPException) throw new CsrfRefused("cross-origin form");
    throw error;
  }
  const session = c.get("session");
  if (session) {
    const form = await c.req.parseBody();
    const sent = typeof form[CSRF_FIELD] === "string" ? (form[CSRF_FIELD] as string) : "";
    if (!timingSafeEqual(sent, session.csrf_token)) throw new CsrfRefused("missing or wrong csrf token");
  }
  await next();
});

/** The form's text fields (files are not accepted anywhere in the dashboard). */
export async function formOf(c: Context<DashEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody({ all: false });
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) if (typeof value === "string") fields[name] = value;
  return fields;
}
