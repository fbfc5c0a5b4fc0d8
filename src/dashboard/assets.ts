/**
 * The dashboard's stylesheet and script, served from our own origin (the CSP allows no inline code
 * and no other origin). One stylesheet for both directions: logical properties only. The script is
 * a convenience (copy buttons, a confirmation before destructive actions, one submit per press):
 * every page works without it.
 */
export const ASSET_VERSION = "1";
export const CSS_PATH = `/admin/assets/dashboard-${ASSET_VERSION}.css`;
export const JS_PATH = `/admin/assets/dashboard-${ASSET_VERSION}.js`;

export const DASHBOARD_CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #4d5566; --line: #c9cfda; --brand: #0b5cad; --brand-dark: #084a8c;
  --error: #b3261e; --ok: #1b6e3a; --bg: #f3f5f8; --warn-bg: #fff4d6; --warn-ink: #5c4100; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  "Noto Sans Arabic", sans-serif; }
a { color: var(--brand); }
.skip { position: absolute; inset-inline-start: -999px; }
.skip:focus { inset-inline-start: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 2; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; padding: .75rem 1rem; background: #fff;
  border-block-end: 1px solid var(--line); }
header.top .brand { font-weight: 700; margin-inline-end: auto; color: var(--ink); text-decoration: none; }
header.top form { margin: 0; }
.mode-badge { padding: .1rem .5rem; border-radius: 999px; font-size: .8125rem; font-weight: 700; }
.mode-sandbox { background: var(--warn-bg); color: var(--warn-ink); }
.mode-live { background: #e3f4e8; color: #114d28; }
.layout { display: grid; grid-template-columns: 13rem minmax(0, 1fr); min-height: calc(100vh - 3.5rem); }
nav.side { background: #fff; border-inline-end: 1px solid var(--line); padding: 1rem .5rem; }
nav.side ul { list-style: none; margin: 0; padding: 0; }
nav.side a { display: block; padding: .5rem .75rem; border-radius: 6px; color: var(--ink); text-decoration: none; }
nav.side a[aria-current="page"] { background: #e6eef8; color: var(--brand-dark); font-weight: 700; }
main { padding: 1.25rem; max-width: 72rem; width: 100%; }
main.narrow { max-width: 28rem; margin: 2rem auto; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; overflow-wrap: anywhere; }
figure { margin: 0 0 1rem; }
h2 { font-size: 1.125rem; margin: 1.5rem 0 .75rem; }
.panel > h2:first-child, form.panel > h2 { margin-top: 0; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 1rem; margin-bottom: 1rem;
  overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 10px; margin-bottom: 1rem; }
table { border-collapse: collapse; width: 100%; font-size: .875rem; }
th, td { text-align: start; padding: .5rem .75rem; border-block-end: 1px solid #e4e8ef; vertical-align: top; }
th { background: #f7f9fc; font-weight: 700; white-space: nowrap; }
td code, td.mono, td .mono { overflow-wrap: normal; white-space: nowrap; }
td.num, th.num { text-align: end; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .8125rem; overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: minmax(8rem, auto) 1fr; gap: .25rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
.field { margin-bottom: .75rem; }
label, .label { display: block; font-weight: 600; margin-bottom: .25rem; }
.hint { margin: .25rem 0 0; font-size: .8125rem; color: var(--muted); }
input, select { display: block; width: 100%; min-height: 2.5rem; padding: .375rem .625rem; border: 1px solid #7d8697; border-radius: 6px;
  font: inherit; color: inherit; background: #fff; }
input[aria-invalid="true"], select[aria-invalid="true"] { border-color: var(--error); border-width: 2px; }
.field-error { margin: .25rem 0 0; color: var(--error); font-size: .8125rem; font-weight: 600; }
.inline-form { display: flex; flex-wrap: wrap; gap: .75rem; align-items: flex-end; }
.inline-form .field { margin: 0; flex: 1 1 10rem; min-width: 0; }
button, .button { display: inline-block; min-height: 2.5rem; padding: .5rem 1rem; border-radius: 6px; font: inherit; font-weight: 700;
  text-decoration: none; cursor: pointer; border: 1px solid var(--brand); background: var(--brand); color: #fff; }
button:hover, .button:hover { background: var(--brand-dark); }
button.secondary, .button.secondary { background: #fff; color: var(--brand-dark); }
button.danger { background: #fff; color: var(--error); border-color: var(--error); }
button:disabled { background: #e9ecf1; color: #4d5566; border-color: #b5bcc8; cursor: not-allowed; }
.link-button { background: none; border: 0; color: var(--brand); padding: 0; min-height: 0; font-weight: 600; text-decoration: underline; }
.link-button:hover { background: none; }
.why { display: block; font-size: .8125rem; color: var(--muted); margin-top: .25rem; }
.alert { margin: 0 0 1rem; padding: .75rem 1rem; border-radius: 8px; border: 2px solid var(--error); background: #fdecea; color: #5f1510; }
.notice { margin: 0 0 1rem; padding: .75rem 1rem; border-radius: 8px; border: 1px solid #9fc0e6; background: #eef3fb; }
.secret { border: 2px solid #e8c66a; background: var(--warn-bg); }
.secret-row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .5rem 0; }
.secret-row code { flex: 1 1 16rem; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .375rem .5rem; }
.status { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .8125rem; font-weight: 700; background: #e9ecf1;
  color: #2b3240; white-space: nowrap; }
.status-captured, .status-succeeded, .status-enabled, .status-active, .status-ok { background: #e3f4e8; color: #114d28; }
.status-refunded, .status-partially_refunded, .status-retrying { background: var(--warn-bg); color: var(--warn-ink); }
.status-voided, .status-expired, .status-failed, .status-dead_lettered, .status-disabled, .status-revoked, .status-bad
  { background: #fdecea; color: #7a1c15; }
.status-authorized { background: #e6eef8; color: #0a3f75; }
.pager { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; margin: .5rem 0 1rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 1rem; }
.chart svg { width: 100%; height: auto; display: block; }
.legend { display: flex; gap: 1rem; font-size: .8125rem; margin: .5rem 0 0; padding: 0; list-style: none; }
.swatch { display: inline-block; width: .75rem; height: .75rem; border-radius: 2px; margin-inline-end: .25rem; vertical-align: middle; }
.swatch-captured { background: #0b5cad; }
.swatch-refunded { background: #c0392b; }
.merchant-list { list-style: none; padding: 0; margin: 0 0 1rem; }
.merchant-list li { margin-bottom: .5rem; }
:focus-visible { outline: 3px solid #f0a000; outline-offset: 2px; }
@media (max-width: 48rem) {
  .layout { display: block; }
  nav.side { border-inline-end: 0; border-block-end: 1px solid var(--line); padding: .5rem; }
  nav.side ul { display: flex; flex-wrap: wrap; gap: .25rem; }
  nav.side a { padding: .375rem .5rem; }
  main { padding: 1rem .75rem; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: .5rem; }
}
`;

export const DASHBOARD_JS = `(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = button.getAttribute("data-copied") || "Copied";
    });
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
    if (form.method.toLowerCase() === "post") form.setAttribute("data-sent", "1");
  });
})();
`;
