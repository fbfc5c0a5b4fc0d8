import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../http/context";

/**
 * The hosted pages' security headers: a strict CSP (our own scripts, styles and images only; the
 * merchant's redirect origins as form targets), no framing, no referrer, no caching.
 */

type Directives = Record<string, string[]>;

function cspDirectives(form_origins: string[]): Directives {
  return {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    // The merchant's logo is served from our origin too (/checkout/logos/).
    imgSrc: ["'self'"],
    // Chrome checks form-action on the redirect after a form post too: the merchant's
    // success_url and cancel_url origins are where our 303s go.
    formAction: ["'self'", ...form_origins],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  };
}

function cspHeader(directives: Directives): string {
  return Object.entries(directives)
    .map(([name, values]) => `${name.replace(/[A-Z]/g, (letter) => "-" + letter.toLowerCase())} ${values.join(" ")}`)
    .join("; ");
}

export function origin(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.origin : null;
  } catch {
    return null;
  }
}

const secure = secureHeaders({
  // A page that knows its checkout sets its own CSP (with the merchant's origins in form-action);
  // every other page gets this one.
  contentSecurityPolicy: cspDirectives([]),
  xFrameOptions: "DENY",
  referrerPolicy: "no-referrer",
  // The popup must keep its opener (the merchant's page) to hand it the result; the default
  // `same-origin` would sever it.
  crossOriginOpenerPolicy: false,
  overwrite: false,
});

/** Every page: the security headers and no caching (the URL carries the client secret). */
export const pageHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await secure(c, next);
  c.res.headers.set("Cache-Control", "no-store");
});

export function setCheckoutCsp(c: Context<AppEnv>, checkout: { success_url: string; cancel_url: string }): void {
  const origins = [...new Set([origin(checkout.success_url), origin(checkout.cancel_url)].filter((o): o is string => o !== null))];
  c.header("Content-Security-Policy", cspHeader(cspDirectives(origins)));
}
