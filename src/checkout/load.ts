import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSX } from "hono/jsx/jsx-runtime";
import { database } from "../db/client";
import { findBranding } from "../db/merchants";
import { isBrandColor } from "../domain/brand-color";
import { objectKeyOf } from "../domain/ids";
import { logoPath } from "../domain/images";
import type { AppEnv } from "../http/context";
import { buyerPaymentCall } from "../services/payments";
import { walletStub } from "../services/wallets";
import { themeCssPath } from "./assets";
import { pickLocale, type Locale } from "./i18n";
import type { MerchantBrand, PageView } from "./page";
import { renderDocument } from "./page";
import { checkoutObject } from "./pay-api";
import { POPUP_PARAM } from "./snippet";

/** What a hosted page reads before it renders: the checkout, the merchant's branding, the buyer's balance, the language. */

const MAX_SECRET_LENGTH = 200;

async function readPage(c: Context<AppEnv>, id: string, secret: string) {
  return checkoutObject(c, id).page(buyerPaymentCall(id, secret, c.get("requestId")));
}
export type PageAnswer = Extract<Awaited<ReturnType<typeof readPage>>, { ok: true }>;
export type Loaded = { ok: true; page: PageAnswer } | { ok: false; code: "not_found" | "client_secret_invalid" };

export async function loadCheckout(c: Context<AppEnv>, id: string, secret: string): Promise<Loaded> {
  if (!objectKeyOf(id, id.startsWith("pi_") ? "intent" : "session")) return { ok: false, code: "not_found" };
  if (secret.length > MAX_SECRET_LENGTH) return { ok: false, code: "client_secret_invalid" };
  const answer = await readPage(c, id, secret);
  if (!answer.ok) return { ok: false, code: answer.code === "client_secret_invalid" ? "client_secret_invalid" : "not_found" };
  // An id routes to its object by its key; a session id is no intent's (and the reverse).
  if (answer.checkout.id !== id) return { ok: false, code: "not_found" };
  return { ok: true, page: answer as PageAnswer };
}

/**
 * The buyer's available balance in the checkout's currency, or null when it could not be read.
 * Only ever shown after the buyer confirmed with the one-time code (forms.tsx, "Privacy").
 */
export async function buyerAvailable(c: Context<AppEnv>, page: PageAnswer): Promise<number | null> {
  if (!page.buyer) return null;
  try {
    const outcome = await walletStub(c.env, page.buyer.wallet_id).balances({
      wallet_id: page.buyer.wallet_id,
      now_ms: Date.now(),
      owner: { merchant_id: page.merchant_id, mode: page.mode },
      owner_verified: true,
    });
    if (!outcome.ok) return null;
    return outcome.balances.find((b) => b.currency === page.checkout.currency)?.available ?? 0;
  } catch (error) {
    console.error(JSON.stringify({ request_id: c.get("requestId"), checkout_balance_unavailable: String(error) }));
    return null;
  }
}

function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.hostname : null;
  } catch {
    return null;
  }
}

export interface LoadedBrand {
  brand: MerchantBrand;
  theme_css: string | null;
}

/**
 * The merchant's branding as it is now (D1), with the name the checkout was opened under and its
 * success_url's domain to fall back on: a page still works, unbranded, when D1 does not answer.
 */
export async function loadBrand(c: Context<AppEnv>, page: PageAnswer): Promise<LoadedBrand> {
  const fallback_site = hostOf(page.checkout.success_url);
  try {
    const found = await findBranding(database(c.env.DB), page.merchant_id);
    const logo_url = found?.logo_id && found.logo_content_type ? logoPath(found.logo_id, found.logo_content_type) : null;
    const color = found?.brand_color && isBrandColor(found.brand_color) ? found.brand_color : null;
    return {
      brand: { name: found?.display_name ?? page.merchant_name, logo_url, site: hostOf(found?.website ?? null) ?? fallback_site },
      theme_css: color ? themeCssPath(color) : null,
    };
  } catch (error) {
    console.error(JSON.stringify({ request_id: c.get("requestId"), checkout_branding_unavailable: String(error) }));
    return { brand: { name: page.merchant_name, logo_url: null, site: fallback_site }, theme_css: null };
  }
}

/** The page's language: the buyer's `lang` (the switch, or a form's hidden field), the checkout's locale, Accept-Language. */
export function localeFor(c: Context<AppEnv>, requested: string | null | undefined, page?: PageAnswer): Locale {
  return pickLocale({ requested, checkout: page?.checkout.locale, accept_language: c.req.header("Accept-Language") });
}

/** The checkout's page in the other language: the same link, with `lang` (and the popup marker kept). */
export function switchUrl(page: PageAnswer, locale: Locale, popup: boolean): string {
  const query = new URLSearchParams({ client_secret: page.checkout.client_secret, lang: locale === "ar" ? "en" : "ar" });
  if (popup) query.set(POPUP_PARAM, "1");
  return `/checkout/${encodeURIComponent(page.checkout.id)}?${query.toString()}`;
}

/** A page without a checkout to show (refused, not found, failed): its language and no switch. */
export function bareView(locale: Locale): PageView {
  return { locale, switch_url: null, theme_css: null };
}

export async function html(c: Context<AppEnv>, node: JSX.Element, status: ContentfulStatusCode = 200): Promise<Response> {
  return c.html(await renderDocument(node), status);
}
