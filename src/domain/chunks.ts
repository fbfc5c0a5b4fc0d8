/** `items` in consecutive slices of at most `size` (D1's 100 bound parameters, a queue's 100 messages per send). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
