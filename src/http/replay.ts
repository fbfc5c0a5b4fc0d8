/** Marks a response that repeats an operation's first answer, as the Idempotency-Key contract promises. */
export function replayable<R extends Response>(replayed: boolean | undefined, response: R): R {
  if (replayed) response.headers.set("Idempotent-Replayed", "true");
  return response;
}
