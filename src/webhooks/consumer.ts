/**
 * The webhook queues' consumer. Delivery (signing, HTTP POST, backoff) arrives with the webhooks
 * issue; until then nothing is produced. A message on the main queue is retried rather than acked,
 * so nothing is silently dropped; one that reaches the dead-letter queue is logged and acked there,
 * so the record of what gave up stays in the logs instead of cycling forever.
 */
export async function consumeWebhookBatch(batch: MessageBatch<unknown>): Promise<void> {
  const deadLetter = batch.queue.endsWith("-dlq");
  for (const message of batch.messages) {
    if (deadLetter) {
      console.error(JSON.stringify({ webhook_dead_letter: message.id, attempts: message.attempts, body: message.body }));
      message.ack();
    } else {
      message.retry();
    }
  }
}
