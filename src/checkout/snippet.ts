/**
 * GET /checkout.js: what a merchant's page includes to open the hosted checkout in a popup, and to
 * read how a checkout stands.
 *
 *   <script src="https://<this worker>/checkout.js"></script>
 *   MazadCheckout.open(checkout_url, { onSuccess(result) {…}, onCancel(result) {…}, onClose() {…} });
 *   MazadCheckout.retrieve({ publishableKey: "pk_…", id: "cs_…" | "pi_…", clientSecret }) → Promise
 *
 * The popup's result page posts `{type: "mazad:checkout", status, id, redirect_url}` to its opener
 * with the origin of the checkout's success_url as the exact target origin. Here a message counts
 * only if it comes from the checkout's own origin and from the very window this script opened.
 * When the browser blocks the popup, the buyer is sent to the checkout in this tab instead, and the
 * page then redirects to success_url or cancel_url as usual.
 *
 * `retrieve` reads the checkout with the merchant's publishable key and the checkout's client
 * secret (GET /api/v1/checkout/sessions/{id} or /api/v1/payment-intents/{id}, which answer CORS)
 * from the origin this script was served from, as seen while it loads (`document.currentScript`).
 * It resolves with the restricted view (id, object, status, amount, currency, expires_at,
 * payment_id, attempts_remaining for intents, redirect_url) and rejects with an Error carrying the
 * API's `status` and `code`.
 */
export const POPUP_PARAM = "popup";

export const CHECKOUT_JS = `/*! Mazad Checkout: MazadCheckout.open(checkoutUrl, { onSuccess, onCancel, onClose });
  MazadCheckout.retrieve({ publishableKey, id, clientSecret }) */
(function () {
  "use strict";
  if (window.MazadCheckout) return;
  // Where this script came from is where the checkout API is; only known while the script runs.
  var script = document.currentScript;
  var apiOrigin = script && script.src ? new URL(script.src, window.location.href).origin : null;
  var WIDTH = 480;
  var HEIGHT = 720;
  var current = null;

  function call(callback, value) {
    if (typeof callback === "function") callback(value);
  }

  function features() {
    var left = Math.max(0, (window.screenX || 0) + ((window.outerWidth || WIDTH) - WIDTH) / 2);
    var top = Math.max(0, (window.screenY || 0) + ((window.outerHeight || HEIGHT) - HEIGHT) / 2);
    return "popup=yes,width=" + WIDTH + ",height=" + HEIGHT + ",left=" + Math.round(left) + ",top=" + Math.round(top);
  }

  function open(checkoutUrl, options) {
    options = options || {};
    var url = new URL(String(checkoutUrl), window.location.href);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("MazadCheckout.open: checkoutUrl must be an http(s) URL");
    var checkoutOrigin = url.origin;
    var checkoutId = decodeURIComponent(url.pathname.split("/").pop() || "");
    var popupUrl = new URL(url.href);
    popupUrl.searchParams.set("${POPUP_PARAM}", "1");

    if (current) current.stop();
    var popup = window.open(popupUrl.href, "mazad_checkout", features());
    if (!popup) {
      // Blocked: the same checkout in this tab; it returns to success_url or cancel_url.
      window.location.assign(url.href);
      return null;
    }

    var finished = false;
    var watcher = null;
    function stop() {
      window.removeEventListener("message", onMessage);
      if (watcher !== null) window.clearInterval(watcher);
      watcher = null;
      if (current && current.popup === popup) current = null;
    }
    function onMessage(event) {
      if (event.origin !== checkoutOrigin || event.source !== popup) return;
      var data = event.data;
      if (!data || data.type !== "mazad:checkout" || data.id !== checkoutId) return;
      finished = true;
      stop();
      var result = { status: data.status, id: data.id, redirect_url: data.redirect_url };
      if (data.status === "authorized") call(options.onSuccess, result);
      else call(options.onCancel, result);
    }
    window.addEventListener("message", onMessage);
    // A popup's window can only be watched for closing by polling; this only tells onClose. The
    // result page posts and then closes itself, so a message may still be on its way when the
    // window is seen closed: it gets a moment before the checkout counts as abandoned.
    watcher = window.setInterval(function () {
      if (!popup.closed) return;
      window.clearInterval(watcher);
      watcher = null;
      window.setTimeout(function () {
        if (finished) return;
        stop();
        call(options.onClose);
      }, 1000);
    }, 400);
    try { popup.focus(); } catch (e) { /* some browsers refuse focus; harmless */ }
    current = {
      popup: popup,
      stop: stop,
      close: function () { stop(); if (!popup.closed) popup.close(); if (!finished) call(options.onClose); }
    };
    return { close: current.close };
  }

  function failure(message, status, code) {
    var error = new Error(message);
    error.status = status;
    error.code = code;
    return error;
  }

  // The checkout as a browser may see it: publishable key + the checkout's client secret.
  function retrieve(options) {
    options = options || {};
    var publishableKey = String(options.publishableKey || "");
    var id = String(options.id || "");
    var clientSecret = String(options.clientSecret || "");
    if (!/^pk_[a-z]+_/.test(publishableKey)) return Promise.reject(new Error("MazadCheckout.retrieve: publishableKey must be your " +
      "pk_… key"));
    if (!/^(cs|pi)_/.test(id))
      return Promise.reject(new Error("MazadCheckout.retrieve: id must be a checkout session (cs_…) or payment " +
      "intent (pi_…) id"));
    if (!clientSecret) return Promise.reject(new Error("MazadCheckout.retrieve: clientSecret is required"));
    if (!apiOrigin) return Promise.reject(new Error("MazadCheckout.retrieve: load checkout.js with <script src>, so it knows where the " +
      "checkout lives"));
    var path = id.indexOf("pi_") === 0 ? "/api/v1/payment-intents/" : "/api/v1/checkout/sessions/";
    var url = apiOrigin + path + encodeURIComponent(id) + "?client_secret=" + encodeURIComponent(clientSecret);
    return fetch(url, { method: "GET", headers: { Authorization: "Bearer " + publishableKey }, credentials: "omit",
      cache: "no-store" }).then(function (res) {
      return res.json().then(
        function (body) {
          if (res.ok && body && body.success) return body.data;
          var error = (body && body.error) || {};
          throw failure(error.message || "MazadCheckout.retrieve: HTTP " + res.status, res.status, error.code);
        },
        function () {
          throw failure("MazadCheckout.retrieve: HTTP " + res.status, res.status, undefined);
        }
      );
    });
  }

  window.MazadCheckout = { open: open, retrieve: retrieve };
})();
`;

/** Five minutes: merchants include it by a fixed URL, so a fix reaches them soon. */
export const SNIPPET_CACHE = "public, max-age=300";
