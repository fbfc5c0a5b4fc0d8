import { brandTheme } from "../domain/brand-color";

/**
 * The hosted page's stylesheet and script, served by the worker from its own origin (the CSP allows
 * no inline code and no other origin). Their paths carry a hash of their content, so they can be
 * cached for a year: a changed file is a new path.
 */

const PAGE_CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #545d6e; --line: #c9cfda; --brand: #0b5cad; --brand-dark: #084a8c;
  --on-brand: #fff; --link: #0b5cad; --error: #b3261e; --ok: #1b6e3a; --bg: #f3f5f8; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  "Noto Sans Arabic", sans-serif; }
[lang="ar"] body { font-family: "Noto Sans Arabic", "Noto Naskh Arabic", system-ui, "Segoe UI", Tahoma, sans-serif; line-height: 1.7; }
main { max-width: 30rem; margin-block: 0; margin-inline: auto; padding: 1rem; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 1.25rem; margin-block-end: 1rem;
  overflow-wrap: break-word; }
.summary { border-block-start: 4px solid var(--brand); }
.lang-switch { display: flex; justify-content: flex-end; margin-block-end: .5rem; }
.lang-switch a { color: var(--link); font-weight: 600; padding-block: .25rem; padding-inline: .5rem; }
.brand { display: flex; align-items: center; gap: .75rem; min-width: 0; }
.brand-text { min-width: 0; }
.logo { display: block; max-height: 3rem; max-width: 7rem; width: auto; height: auto; border-radius: 6px; flex: none; }
.merchant { margin: 0; font-size: 1rem; font-weight: 600; color: var(--muted); }
.site { margin: 0; font-size: .875rem; color: var(--muted); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.amount { margin-block: .25rem; margin-inline: 0; font-size: 2rem; font-weight: 700; line-height: 1.2; font-variant-numeric: tabular-nums; }
.amount-small { font-size: 1.25rem; margin-block: .75rem; }
.description { margin: 0; }
.top-up { list-style: none; margin: 0 0 .5rem; padding: 0; color: var(--muted); font-size: .9375rem; }
.meta { margin-block: .5rem 0; margin-inline: 0; font-size: .875rem; color: var(--muted); }
.badge { display: inline-block; margin-block: 0 .5rem; padding-block: .1rem; padding-inline: .5rem; border-radius: 999px;
  background: #fff4d6; color: #6b4b00; font-size: .8125rem; font-weight: 600; }
h1 { font-size: 1.375rem; margin-block: 0 .5rem; }
h2 { font-size: 1.125rem; margin-block: 0 .75rem; }
dl { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: .25rem 1rem; margin-block: 0 .25rem; }
dt { color: var(--muted); }
dd { margin: 0; font-weight: 600; text-align: end; font-variant-numeric: tabular-nums; min-width: 0; }
.field { margin-block-end: 1rem; }
.row { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: .75rem; align-items: end; }
label { display: block; font-weight: 600; margin-block-end: .25rem; }
.hint { margin-block: 0 .25rem; font-size: .875rem; color: var(--muted); }
#privacy-note { margin-block-end: 1rem; }
input { display: block; width: 100%; min-height: 2.75rem; padding-block: .5rem; padding-inline: .75rem; border: 1px solid #8a93a3;
  border-radius: 8px; font: inherit; color: inherit; background: #fff; }
[dir="rtl"] input[dir="ltr"] { text-align: end; }
input[aria-invalid="true"] { border-color: var(--error); border-width: 2px; }
.field-error { margin-block: .25rem 0; color: var(--error); font-size: .875rem; font-weight: 600; }
.alert { margin-block: 0 1rem; padding-block: .75rem; padding-inline: 1rem; border-radius: 8px; border: 2px solid var(--error);
  background: #fdecea; color: #5f1510; }
.alert p { margin: 0; }
.alert .detail { margin-block-start: .25rem; font-size: .875rem; }
.note { margin-block: 0 1rem; padding-block: .75rem; padding-inline: 1rem; border-radius: 8px; background: #eef3fb;
  border: 1px solid #b7c9e6; }
button, .button { display: block; width: 100%; min-height: 3rem; padding-block: .75rem; padding-inline: 1rem; border-radius: 8px;
  font: inherit; font-weight: 700; text-align: center; text-decoration: none; cursor: pointer; }
.primary { border: 0; background: var(--brand); color: var(--on-brand); }
.primary:hover { background: var(--brand-dark); }
.secondary { margin-block-start: .75rem; border: 1px solid var(--line); background: #fff; color: var(--ink); }
[aria-disabled="true"] { opacity: .7; cursor: progress; }
:focus-visible { outline: 3px solid #f0a000; outline-offset: 2px; }
input:focus-visible { outline-offset: 0; }
.cancel-form { margin: 0; }
footer { text-align: center; font-size: .8125rem; color: var(--muted); }
@media (min-width: 40rem) { main { padding-block-start: 3rem; } }
`;

/**
 * In a popup opened by checkout.js, the result page hands the result to the merchant's page and
 * closes; elsewhere it continues to the merchant's redirect. On the form: a card number that fails
 * the Luhn check is caught here, before it is sent, so what the buyer typed stays in the field
 * (the message comes from the page, in its language); one submit per press; the expiry's slash
 * typed for the buyer (numeric keypads have none). Times are rewritten in the buyer's own zone.
 */
const PAGE_JS = `(function () {
  "use strict";
  var result = document.getElementById("checkout-result");
  if (result) {
    var data = result.dataset;
    var message = { type: "mazad:checkout", status: data.status, id: data.id, redirect_url: data.redirectUrl };
    var opener = window.opener;
    if (opener && !opener.closed && data.targetOrigin) {
      // An exact target origin: only the merchant's own page can read the result.
      opener.postMessage(message, data.targetOrigin);
      window.close();
      return;
    }
    window.location.replace(data.redirectUrl);
    return;
  }
  var tag = document.documentElement.getAttribute("data-intl") || undefined;
  Array.prototype.forEach.call(document.querySelectorAll("time[data-local]"), function (time) {
    try {
      var options = { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" };
      time.textContent = new Intl.DateTimeFormat(tag, options).format(new Date(time.getAttribute("datetime")));
    } catch (ignored) { /* the server's rendering stays */ }
  });
  function luhn(digits) {
    if (!/^\\d{13,19}$/.test(digits)) return false;
    var sum = 0;
    for (var i = 0; i < digits.length; i++) {
      var digit = Number(digits.charAt(digits.length - 1 - i));
      if (i % 2 === 1) { digit *= 2; if (digit > 9) digit -= 9; }
      sum += digit;
    }
    return sum % 10 === 0;
  }
  var number = document.getElementById("card-number");
  var cardForm = document.getElementById("card-form");
  if (number && cardForm) {
    cardForm.addEventListener("submit", function (event) {
      if (luhn(number.value.replace(/[\\s-]/g, ""))) return;
      event.preventDefault();
      var error = document.getElementById("card-number-error");
      if (!error) {
        error = document.createElement("p");
        error.className = "field-error";
        error.id = "card-number-error";
        number.insertAdjacentElement("afterend", error);
      }
      error.textContent = number.getAttribute("data-invalid-message");
      number.setAttribute("aria-invalid", "true");
      var described = (number.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf(error.id) < 0) described.push(error.id);
      number.setAttribute("aria-describedby", described.join(" "));
      number.focus();
    });
  }
  var forms = document.querySelectorAll("form[data-once]");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      var button = form.querySelector("button[type=submit]");
      if (button) button.setAttribute("aria-disabled", "true");
    });
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    Array.prototype.forEach.call(forms, function (form) {
      form.removeAttribute("data-sent");
      var button = form.querySelector("button[type=submit]");
      if (button) button.removeAttribute("aria-disabled");
    });
  });
  var expiry = document.getElementById("card-expiry");
  if (expiry) {
    expiry.addEventListener("input", function (event) {
      if (event.inputType === "insertText" && /^\\d{2}$/.test(expiry.value)) expiry.value += "/";
    });
  }
})();
`;

/** FNV-1a, 32 bits: enough to tell two versions of a file apart in its URL. */
function contentHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

export interface Asset {
  body: string;
  content_type: string;
}

const CSS_NAME = `page.${contentHash(PAGE_CSS)}.css`;
const JS_NAME = `page.${contentHash(PAGE_JS)}.js`;

export const ASSET_PREFIX = "/checkout/assets/";
export const PAGE_CSS_PATH = ASSET_PREFIX + CSS_NAME;
export const PAGE_JS_PATH = ASSET_PREFIX + JS_NAME;

export const ASSETS: Record<string, Asset> = {
  [CSS_NAME]: { body: PAGE_CSS, content_type: "text/css; charset=utf-8" },
  [JS_NAME]: { body: PAGE_JS, content_type: "text/javascript; charset=utf-8" },
};

/**
 * A merchant's brand colour as a stylesheet of its own, named by the colour (so it is cached like
 * the others): the colour, its hover shade and the text colour that reads on both (domain/brand-color.ts).
 */
export function themeCssPath(brand_color: string): string {
  return `${ASSET_PREFIX}theme.${brand_color.slice(1).toLowerCase()}.css`;
}

export function themeCss(brand_color: string): string {
  const theme = brandTheme(brand_color);
  return `:root { --brand: ${theme.brand}; --brand-dark: ${theme.brand_dark}; --on-brand: ${theme.on_brand}; }\n`;
}

/** A year: the name changes whenever the content does. */
export const IMMUTABLE_CACHE = "public, max-age=31536000, immutable";
