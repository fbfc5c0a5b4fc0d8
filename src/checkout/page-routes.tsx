import { Hono, type Context } from "hono";
import { database } from "../db/client";
import { findCurrentLogo } from "../db/merchants";
import { extensionOf, parseLogoFile } from "../domain/images";
import type { AppEnv } from "../http/context";
import { ASSETS, IMMUTABLE_CACHE, themeCss } from "./assets";
import { checkoutFormRoutes } from "./form-routes";
import { pageHeaders } from "./headers";
import { bareView, loadCheckout, localeFor } from "./load";
import { failurePage, isOpenStatus, refusedPage, showCheckout, showClosed } from "./responses";
import { CHECKOUT_JS, POPUP_PARAM, SNIPPET_CACHE } from "./snippet";

/**
 * The hosted checkout page (GET /checkout/{id}?client_secret=…), its form posts (form-routes.tsx),
 * its static files, the merchants' logos and checkout.js.
 *
 * The client secret is the credential, as in the JSON API: without it a page shows nothing of the
 * payment.
 */

export const checkoutPageRoutes = new Hono<AppEnv>();

// ---- The page ---------------------------------------------------------------------------------

checkoutPageRoutes.get("/checkout/:id", pageHeaders, async (c) => {
  const requested = c.req.query("lang");
  try {
    const loaded = await loadCheckout(c, c.req.param("id"), c.req.query("client_secret") ?? "");
    // A refused link shows nothing of a checkout, so it gets no switch to reload it with.
    if (!loaded.ok) return await refusedPage(c, loaded.code, bareView(localeFor(c, requested)));
    const locale = localeFor(c, requested, loaded.page);
    const popup = c.req.query(POPUP_PARAM) === "1";
    if (!isOpenStatus(loaded.page.checkout.status)) return await showClosed(c, loaded.page, popup, locale);
    return await showCheckout(c, loaded.page, { popup }, locale);
  } catch (error) {
    return failurePage(c, error, localeFor(c, requested));
  }
});

checkoutPageRoutes.route("/", checkoutFormRoutes);

// ---- Static files -----------------------------------------------------------------------------

const ASSET_FILES = new Map(Object.entries(ASSETS));
const THEME_FILE = /^theme\.([0-9a-f]{6})\.css$/;

const STATIC_HEADERS = { "X-Content-Type-Options": "nosniff", "Cross-Origin-Resource-Policy": "same-origin" };

checkoutPageRoutes.get("/checkout/assets/:file", (c) => {
  const file = c.req.param("file");
  const asset = ASSET_FILES.get(file);
  // A merchant's brand colour is its theme's name: the file follows from it, and changes with it.
  const theme = THEME_FILE.exec(file);
  const body = asset?.body ?? (theme ? themeCss(`#${theme[1]}`) : null);
  if (body === null) return c.text("Not found", 404, { "Cache-Control": "no-store" });
  return c.body(body, 200, {
    "Content-Type": asset?.content_type ?? "text/css; charset=utf-8",
    "Cache-Control": IMMUTABLE_CACHE,
    ...STATIC_HEADERS,
  });
});

/**
 * A merchant's current logo, by its random id: the URL names nothing else, and a new upload is a
 * new URL, so it is cached for good. Its bytes were checked to be a PNG or JPEG when uploaded.
 */
checkoutPageRoutes.get("/checkout/logos/:file", async (c) => {
  const notFound = () => c.text("Not found", 404, { "Cache-Control": "no-store" });
  const parsed = parseLogoFile(c.req.param("file"));
  if (!parsed) return notFound();
  const logo = await findCurrentLogo(database(c.env.DB), parsed.logo_id);
  if (!logo || extensionOf(logo.content_type) !== parsed.extension) return notFound();
  const bytes = Uint8Array.from(atob(logo.data_base64), (char) => char.charCodeAt(0));
  return c.body(bytes, 200, {
    "Content-Type": logo.content_type,
    "Cache-Control": IMMUTABLE_CACHE,
    "Content-Security-Policy": "default-src 'none'",
    ...STATIC_HEADERS,
  });
});

// Loaded by merchants' pages from their own origins: cross-origin resource policy allows it.
checkoutPageRoutes.get("/checkout.js", (c) =>
  c.body(CHECKOUT_JS, 200, {
    "Content-Type": "text/javascript; charset=utf-8",
    "Cache-Control": SNIPPET_CACHE,
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "Access-Control-Allow-Origin": "*",
  }),
);
