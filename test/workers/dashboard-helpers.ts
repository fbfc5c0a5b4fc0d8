import { exports } from "cloudflare:workers";
import { STRONG_PASSWORD, uniqueEmail } from "./helpers";

/**
 * A browser's part in the dashboard, without a browser: a cookie jar, same-origin form posts with
 * the page's CSRF token, and the HTML that comes back. Through the worker's real fetch handler.
 */
export const ORIGIN = "http://localhost";

export interface Page {
  status: number;
  headers: Headers;
  html: string;
  location: string | null;
}

export class DashboardClient {
  cookies = new Map<string, string>();
  csrf: string | null = null;

  async request(method: string, path: string, options: { form?: Record<string, string>; headers?: Record<string, string> } = {}) {
    const headers = new Headers(options.headers);
    if (this.cookies.size > 0) headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    let body: string | undefined;
    if (options.form) {
      body = new URLSearchParams(options.form).toString();
      headers.set("Content-Type", "application/x-www-form-urlencoded");
      if (!headers.has("Origin")) headers.set("Origin", ORIGIN);
    }
    const res = await exports.default.fetch(new Request(`${ORIGIN}${path}`, { method, headers, body, redirect: "manual" }));
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...rest] = pair!.split("=");
      const value = rest.join("=");
      if (/Max-Age=0/i.test(line) || value === "") this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
    const html = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    return { status: res.status, headers: res.headers, html, location: res.headers.get("Location") } satisfies Page;
  }

  get(path: string) {
    return this.request("GET", path);
  }

  /** A form post from a page of ours: the session's token included unless `csrf: false`. */
  post(path: string, form: Record<string, string> = {}, options: { csrf?: boolean; headers?: Record<string, string> } = {}) {
    const fields = options.csrf === false || !this.csrf ? form : { _csrf: this.csrf, ...form };
    return this.request("POST", path, { form: fields, headers: options.headers });
  }

  /** Follows a 303 once. */
  async follow(page: Page) {
    if (!page.location) return page;
    return this.get(new URL(page.location, ORIGIN).pathname + new URL(page.location, ORIGIN).search);
  }
}

/** Signs up through the dashboard's form; the client then holds the session. */
export async function signedUp(name = "Dash Owner") {
  const client = new DashboardClient();
  const email = uniqueEmail("dash");
  await client.get("/admin/signup");
  const res = await client.post("/admin/signup", { name, email, password: STRONG_PASSWORD });
  if (res.status !== 303) throw new Error(`signup failed: ${res.status} ${res.html.slice(0, 500)}`);
  await client.get("/admin");
  return { client, email };
}

/** A merchant created through the dashboard: its id and the page that showed its keys. */
export async function withMerchant(client: DashboardClient, name = "Dash Shop") {
  const page = await client.post("/admin/merchants", { name });
  if (page.status !== 201) throw new Error(`merchant failed: ${page.status} ${page.html.slice(0, 500)}`);
  const merchant_id = /\/admin\/m\/([0-9a-f-]{36})\/sandbox/.exec(page.html)![1]!;
  const secrets = [...page.html.matchAll(/data-secret="true"[^>]*>([^<]+)</g)].map((m) => m[1]!);
  return { merchant_id, page, secrets, base: `/admin/m/${merchant_id}/sandbox` };
}
