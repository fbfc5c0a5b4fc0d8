import { Hono } from "hono";
import { html } from "hono/html";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../http/context";
import { errorsPage } from "./errors-page";

/**
 * GET /docs: an interactive reference (Swagger UI) over /openapi.json. Its script and stylesheet are
 * Workers static assets from our own origin (`.assets/docs/assets/`, copied from swagger-ui-dist at
 * install), so the docs work offline and under a strict CSP without weighing on the worker script.
 */
const initScript = `window.addEventListener("load", () => {
  // validatorUrl: null — no request to a third-party validator and no badge from it.
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#reference", deepLinking: true, persistAuthorization: false,
    validatorUrl: null });
});`;

export const docsRoutes = new Hono<AppEnv>();

// Swagger UI sets inline styles, hence 'unsafe-inline' for styles only; scripts are ours alone.
const docsHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
  },
});
docsRoutes.use("/docs", docsHeaders);
docsRoutes.use("/docs/*", docsHeaders);

docsRoutes.get("/docs", (c) =>
  c.html(html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Mazad Wallet API reference</title>
        <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
      </head>
      <body>
        <div id="reference"></div>
        <script src="/docs/assets/swagger-ui-bundle.js"></script>
        <script src="/docs/assets/init.js"></script>
      </body>
    </html>`),
);

docsRoutes.get("/docs/errors", (c) => c.html(errorsPage()));

docsRoutes.get("/docs/assets/init.js", (c) => c.body(initScript, 200, { "Content-Type": "text/javascript; charset=utf-8" }));
