/**
 * A broken invariant is a bug, surfaced loudly and never swallowed: it throws inside the change's
 * transaction, so nothing of the change is stored. Invariants are asserted in pairs where money
 * state changes (each bound from both sides), in O(1); full cross-checks live in the audit.
 */
export class InvariantViolation extends Error {
  override name = "InvariantViolation";
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new InvariantViolation(message);
}
