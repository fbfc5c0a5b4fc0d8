/**
 * The hosted page's stylesheet and script, served by the worker from its own origin (the CSP allows
 * no inline code and no other origin). Their paths carry a hash of their content, so they can be
 * cached for a year: a changed file is a new path.
 */

const PAGE_CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #545d6e; --line: #c9cfda; --brand: #0b5cad; --brand-dark: #084a8c;
  --error: #b3261e; --ok: #1b6e3a; --bg: #f3f5f8; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  "Noto Sans Arabic", sans-serif; }
main { max-width: 30rem; margin: 0 auto; padding: 1rem; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 1.25rem; margin-bottom: 1rem;
  overflow-wrap: anywhere; }
.merchant { margin: 0; font-size: 1rem; font-weight: 600; color: var(--muted); }
.amount { margin: .25rem 0; font-size: 2rem; font-weight: 700; line-height: 1.2; font-variant-numeric: tabular-nums; }
.description { margin: 0; }
.meta { margin: .5rem 0 0; font-size: .875rem; color: var(--muted); }
.badge { display: inline-block; margin: 0 0 .5rem; padding: .1rem .5rem; border-radius: 999px; background: #fff4d6; color: #6b4b00;
  font-size: .8125rem; font-weight: 600; }
h1 { font-size: 1.375rem; margin: 0 0 .5rem; }
h2 { font-size: 1.125rem; margin: 0 0 .75rem; }
dl { display: grid; grid-template-columns: auto 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
dt { color: var(--muted); }
dd { margin: 0; font-weight: 600; text-align: end; font-variant-numeric: tabular-nums; }
.field { margin-bottom: 1rem; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: .75rem; }
label { display: block; font-weight: 600; margin-bottom: .25rem; }
.hint { margin: 0 0 .25rem; font-size: .875rem; color: var(--muted); }
input { display: block; width: 100%; min-height: 2.75rem; padding: .5rem .75rem; border: 1px solid #8a93a3; border-radius: 8px;
  font: inherit; color: inherit; background: #fff; }
input[aria-invalid="true"] { border-color: var(--error); border-width: 2px; }
.field-error { margin: .25rem 0 0; color: var(--error); font-size: .875rem; font-weight: 600; }
.alert { margin: 0 0 1rem; padding: .75rem 1rem; border-radius: 8px; border: 2px solid var(--error); background: #fdecea; color: #5f1510; }
.alert p { margin: 0; }
.alert .detail { margin-top: .25rem; font-size: .875rem; }
.note { margin: 0 0 1rem; padding: .75rem 1rem; border-radius: 8px; background: #eef3fb; border: 1px solid #b7c9e6; }
.warning { background: #fff4d6; border-color: #e8c66a; }
button, .button { display: block; width: 100%; min-height: 3rem; padding: .75rem 1rem; border-radius: 8px; font: inherit;
  font-weight: 700; text-align: center; text-decoration: none; cursor: pointer; }
.primary { border: 0; background: var(--brand); color: #fff; }
.primary:hover { background: var(--brand-dark); }
.secondary { margin-top: .75rem; border: 1px solid var(--line); background: #fff; color: var(--ink); }
[aria-disabled="true"] { opacity: .7; cursor: progress; }
:focus-visible { outline: 3px solid #f0a000; outline-offset: 2px; }
input:focus-visible { outline-offset: 0; }
.cancel-form { margin: 0; }
footer { text-align: center; font-size: .8125rem; color: var(--muted); }
@media (min-width: 40rem) { main { padding-top: 3rem; } }
`;

/**
 * In a popup opened by checkout.js, the result page hands the result to the merchant's page and
 * closes; elsewhere it continues to the merchant's redirect. On the form: one submit per press, and
 * the expiry's slash typed for the buyer (numeric keypads have none).
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
  var forms = document.querySelectorAll("form[data-once]");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function (event) {
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

/** A year: the name changes whenever the content does. */
export const IMMUTABLE_CACHE = "public, max-age=31536000, immutable";
