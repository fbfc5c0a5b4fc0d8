import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { errorReference } from "../domain/error-docs";

/**
 * GET /docs/errors: every error code with its status, type, meaning and what to do, one anchor per
 * code (`#insufficient_funds`). Every error body's `doc_url` points here. Built from the catalogue
 * (domain/errors.ts, domain/error-docs.ts), so it lists exactly the codes the server can answer.
 */
export function errorsPage(): HtmlEscapedString | Promise<HtmlEscapedString> {
  const entries = errorReference().map(
    (e) => html`<section id="${e.code}">
      <h2><a href="#${e.code}">${e.code}</a></h2>
      <p class="status">${e.status} · ${e.type}</p>
      <p>${withCode(e.summary)}</p>
      <p>${withCode(e.action)}</p>
    </section>`,
  );
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Mazad Wallet error codes</title>
        <style>
          body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
          h2 { font: 600 1.1rem ui-monospace, monospace; margin: 2rem 0 0.25rem; }
          h2 a { color: inherit; text-decoration: none; }
          .status { margin: 0; color: #555; font-family: ui-monospace, monospace; }
          code { font-family: ui-monospace, monospace; background: #f2f2f2; padding: 0 0.2em; }
        </style>
      </head>
      <body>
        <h1>Error codes</h1>
        <p>
          Every error answer is <code>{"success": false, "error": {"type", "code", "message", "param"?, "request_id", "doc_url"}}</code>,
          and its <code>doc_url</code> leads to its code below. Act on <code>code</code>, never on <code>message</code>, whose words may
          change. Every field of every operation is in the <a href="/docs">API reference</a>.
        </p>
        ${entries}
      </body>
    </html>`;
}

/** Text with `code` spans, escaped. */
function withCode(text: string) {
  return text.split("`").map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : html`${part}`));
}
