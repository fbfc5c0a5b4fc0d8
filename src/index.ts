import { createApp } from "./app";
import { systemClock } from "./domain/clock";
import { runMaintenance } from "./services/maintenance";
import { consumeWebhookBatch } from "./webhooks/consumer";
import type { WebhookMessage } from "./domain/events";

export { PaymentDO } from "./payments/payment-do";
export { PayoutDO } from "./payouts/payout-do";
export { RateLimiterDO } from "./rate-limit/rate-limiter-do";
export { ReplayGuardDO } from "./signatures/replay-guard-do";
export { WalletDO } from "./wallet/wallet-do";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env, _ctx) => consumeWebhookBatch(batch as MessageBatch<WebhookMessage>, env),
  scheduled: async (_controller, env) => runMaintenance(env, systemClock.now_ms()),
} satisfies ExportedHandler<Env>;
