/**
 * The webhook queue's consumer. Delivery (signing, HTTP POST, backoff) arrives with the webhooks
 * issue; until then nothing is produced to the queue, so any message here is unexpected: retry it
 * rather than ack, so nothing is silently dropped.
 */
export async function consumeWebhookBatch(batch: MessageBatch<unknown>): Promise<void> {
  for (const message of batch.messages) message.retry();
}
