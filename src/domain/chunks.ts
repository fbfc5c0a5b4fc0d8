/** `items` in consecutive slices of at most `size` (a queue's 100 messages per send, say). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isSafeInteger(size) || size < 1) throw new Error(`chunks of ${size} items cannot be made`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Durable Object SQLite and D1 both refuse a statement with more than 100 bound parameters
 * ("too many SQL variables"). A refusal there once jammed an object's event outbox for good: the
 * same 100 events were retried forever and later ones never left.
 */
export const MAX_BOUND_PARAMETERS = 100;

/**
 * The one way to build statements whose parameter count depends on the data: `items` cut so that
 * each statement binds at most MAX_BOUND_PARAMETERS — `fixed` parameters of its own (a timestamp,
 * a status) plus `per_item` for each item (1 for an id in an IN list, a row's column count for a
 * multi-row INSERT).
 */
export function statementChunks<T>(items: readonly T[], bound: { fixed: number; per_item: number }): T[][] {
  const size = Math.floor((MAX_BOUND_PARAMETERS - bound.fixed) / bound.per_item);
  if (size < 1)
    throw new Error(`a statement with ${bound.fixed} + ${bound.per_item} parameters per item cannot fit ${MAX_BOUND_PARAMETERS}`);
  return chunks(items, size);
}
