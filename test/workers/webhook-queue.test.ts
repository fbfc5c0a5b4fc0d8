import { createMessageBatch, createExecutionContext, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import { describe, expect, it } from "vitest";

describe("webhook queue consumer (before delivery exists)", () => {
  it("retries messages on the main queue instead of dropping them", async () => {
    const batch = createMessageBatch("mazad-webhooks", [{ id: "m1", timestamp: new Date(), attempts: 1, body: { event: "evt_1" } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m1"]);
  });

  it("acks what reaches the dead-letter queue, after logging it", async () => {
    const batch = createMessageBatch("mazad-webhooks-dlq", [{ id: "m2", timestamp: new Date(), attempts: 9, body: { event: "evt_2" } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["m2"]);
    expect(result.retryMessages).toEqual([]);
  });
});
