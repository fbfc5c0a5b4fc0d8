import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A merchant's shop on its own origin (`http://localhost:<port>`, another site than the worker's
 * `http://127.0.0.1:<port>`): a page that includes checkout.js exactly as docs/guides/checkout.md shows and
 * records what MazadCheckout reports, and the success and cancel pages it redirects to.
 */
export interface MerchantSite {
  origin: string;
  /** The shop's page that opens this checkout; `auto` opens it on load (no user gesture: popup blockers stop that). */
  pageUrl(checkoutUrl: string, options?: { auto?: boolean }): string;
  successUrl: string;
  cancelUrl: string;
  close(): Promise<void>;
}

function shopPage(workerUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Test shop</title>
  <script src="${workerUrl}/checkout.js"></script>
</head>
<body>
  <h1>Test shop</h1>
  <button id="buy" type="button">Pay with Mazad</button>
  <p id="result" aria-live="polite"></p>
  <script>
    window.results = [];
    window.messages = [];
    // Every message this window gets, to check what the popup posted and from where.
    window.addEventListener("message", function (event) { window.messages.push({ origin: event.origin, data: event.data }); });
    var params = new URLSearchParams(location.search);
    var checkoutUrl = params.get("checkout");
    function record(kind) {
      return function (result) {
        window.results.push(Object.assign({ kind: kind }, result || {}));
        document.getElementById("result").textContent = kind;
      };
    }
    function buy() {
      MazadCheckout.open(checkoutUrl, { onSuccess: record("success"), onCancel: record("cancel"), onClose: record("close") });
    }
    document.getElementById("buy").addEventListener("click", buy);
    if (params.get("auto") === "1") buy();
  </script>
</body>
</html>`;
}

function landingPage(title: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1></body></html>`;
}

async function listen(server: Server): Promise<number> {
  // Both stacks: Chromium may try ::1 for localhost first.
  for (const host of ["::", "127.0.0.1"]) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      return (server.address() as AddressInfo).port;
    } catch {
      // no IPv6 here: IPv4 alone
    }
  }
  throw new Error("the merchant site could not listen");
}

export async function startMerchantSite(workerUrl: string): Promise<MerchantSite> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const body =
      url.pathname === "/"
        ? shopPage(workerUrl)
        : url.pathname === "/success"
          ? landingPage("Thank you")
          : url.pathname === "/cancel"
            ? landingPage("Order canceled")
            : null;
    if (body === null) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }).end(body);
  });
  const port = await listen(server);
  const origin = `http://localhost:${port}`;
  return {
    origin,
    pageUrl: (checkoutUrl, options = {}) => `${origin}/?checkout=${encodeURIComponent(checkoutUrl)}${options.auto ? "&auto=1" : ""}`,
    successUrl: `${origin}/success`,
    cancelUrl: `${origin}/cancel`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
