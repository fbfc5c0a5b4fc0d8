import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { payApiRoutes } from "./checkout/pay-api";
import { checkoutPageRoutes } from "./checkout/page-routes";
import { dashboardRoutes } from "./dashboard/routes";
import { docsRoutes } from "./docs/docs-page";
import type { AppEnv } from "./http/context";
import { handleError } from "./http/error-handler";
import { ApiError, beforeRunning } from "./domain/errors";
import { methodNotAllowedOrNotFound } from "./http/not-found";
import { requestContext } from "./http/request-context";
import { admission } from "./http/admission";
import { duplicateKeyError, illFormedTextError, invalidUtf8Error, keepJsonBytes, validationError } from "./http/validation";
import { apiKeyRoutes } from "./routes/api-keys";
import { authRoutes } from "./routes/auth";
import { checkoutRoutes } from "./routes/checkouts";
import { eventRoutes } from "./routes/events";
import { healthRoutes } from "./routes/health";
import { holdRoutes } from "./routes/holds";
import { ledgerRoutes } from "./routes/ledger";
import { sandboxRoutes } from "./routes/sandbox";
import { transferRoutes } from "./routes/transfers";
import { walletRoutes } from "./routes/wallets";
import { memberRoutes } from "./routes/members";
import { merchantRoutes } from "./routes/merchants";
import { paymentRoutes } from "./routes/payments";
import { payoutRoutes } from "./routes/payouts";
import { userRoutes } from "./routes/users";
import { webhookEndpointRoutes } from "./routes/webhook-endpoints";

const MAX_BODY_BYTES = 64 * 1024;
const MAX_SETTINGS_BODY_BYTES = 256 * 1024;
const MERCHANT_PATH = /^\/api\/v1\/merchants\/[^/]+$/;

/** The Hono app: middleware and route mounting, nothing else. */
export function createApp() {
  const app = new OpenAPIHono<AppEnv>({
    // Each refusal here comes before the route runs (beforeRunning: an Idempotency-Key keeps no answer for it).
    defaultHook: async (result, c) => {
      // A repeated key makes the body mean two things; which of them failed validation is moot.
      const ambiguous = await duplicateKeyError(result.target, c);
      if (ambiguous) throw beforeRunning(ambiguous);
      if (!result.success) throw beforeRunning(await validationError(result.error.issues, result.target, c));
      const illFormed = illFormedTextError(result.data) ?? (await invalidUtf8Error(result.target, c));
      if (illFormed) throw beforeRunning(illFormed);
    },
  });

  app.use("*", requestContext);
  // At capacity, the excess is refused at the door (503 + Retry-After); liveness still answers.
  app.use("/api/*", admission);
  app.use("/checkout/*", admission);
  app.onError(handleError);
  // A bound on everything: no request body this API takes comes near 64 KiB (metadata is 20 × 500 characters).
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new ApiError("payload_too_large", `Request bodies are limited to ${MAX_BODY_BYTES / 1024} KiB.`);
    },
  });
  // A merchant's settings may carry a logo (100 KB, base64): that one route takes more.
  const limitSettingsBody = bodyLimit({
    maxSize: MAX_SETTINGS_BODY_BYTES,
    onError: () => {
      throw new ApiError("payload_too_large", `Merchant settings bodies are limited to ${MAX_SETTINGS_BODY_BYTES / 1024} KiB.`);
    },
  });
  app.use("/api/*", (c, next) => (c.req.method === "PATCH" && MERCHANT_PATH.test(c.req.path) ? limitSettingsBody : limitBody)(c, next));
  app.use("/api/*", keepJsonBytes);
  app.use("/checkout/*", limitBody, keepJsonBytes);
  app.notFound(methodNotAllowedOrNotFound(app));

  // Who may call each route is part of its contract (`auth` in defineRoute, http/openapi.ts), and
  // that is what authenticates it: no list of path prefixes here.

  app.route("/", healthRoutes);
  app.route("/api/v1/auth", authRoutes);
  app.route("/api/v1/merchants", merchantRoutes);
  app.route("/api/v1/merchants", apiKeyRoutes);
  app.route("/api/v1/merchants", memberRoutes);
  app.route("/api/v1", userRoutes);
  app.route("/api/v1", walletRoutes);
  app.route("/api/v1", holdRoutes);
  app.route("/api/v1", transferRoutes);
  app.route("/api/v1", ledgerRoutes);
  app.route("/api/v1", sandboxRoutes);
  app.route("/api/v1", payoutRoutes);
  app.route("/api/v1", checkoutRoutes);
  app.route("/api/v1", paymentRoutes);
  app.route("/api/v1", webhookEndpointRoutes);
  app.route("/api/v1", eventRoutes);
  // Before payApiRoutes: the page's form posts share its paths; JSON bodies go on to it.
  app.route("/", checkoutPageRoutes);
  app.route("/", payApiRoutes);
  app.route("/", docsRoutes);
  // The merchant dashboard: HTML pages over the same services and role rules (src/dashboard/).
  app.route("/admin", dashboardRoutes);

  app.openAPIRegistry.registerComponent("securitySchemes", "SecretKey", {
    type: "http",
    scheme: "bearer",
    description: "Your secret key: `Authorization: Bearer sk_sandbox_…`",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "PublishableKey", {
    type: "http",
    scheme: "bearer",
    description:
      "Your publishable key, for a browser on your page: `Authorization: Bearer pk_sandbox_…`. Only the operations that list it " +
      "accept it " +
      "(reading a checkout session or payment intent, with its `client_secret`); every other one answers 403 `publishable_key_not_allowed`",
  });
  // A signed request sends all three headers; the security requirement names them together.
  const hmacRecipe =
    "canonical = timestamp\\nMETHOD\\npath_and_query\\nhex(sha256(raw_body)), followed by \\nnonce when the request sends an " +
    "X-Api-Nonce header " +
    "(1-64 characters of A-Za-z0-9_-: it lets identical requests within one second each carry their own signature); " +
    "signature = lowercase hex HMAC-SHA256(signing secret, canonical)";
  app.openAPIRegistry.registerComponent("securitySchemes", "HmacKeyId", {
    type: "apiKey",
    in: "header",
    name: "X-Api-Key",
    description: `HMAC-signed requests: your signing key id (\`mk_…\`). ${hmacRecipe}`,
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "HmacTimestamp", {
    type: "apiKey",
    in: "header",
    name: "X-Api-Timestamp",
    description: "HMAC-signed requests: Unix seconds, within ±300 s of the server's clock",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "HmacSignature", {
    type: "apiKey",
    in: "header",
    name: "X-Api-Signature",
    description: `HMAC-signed requests: ${hmacRecipe}; each signature is accepted once`,
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "DashboardToken", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "The access token from POST /api/v1/auth/login",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Mazad Wallet API",
      version: "1.0.0",
      description: "Payments gateway with embedded wallets. Amounts are integers in the currency's minor unit.",
    },
    servers: [{ url: "/", description: "This server" }],
  });
  return app;
}
