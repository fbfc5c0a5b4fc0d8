/**
 * One alarm per object serves all of its deadlines: a hold's expiry, an outbox retry, a checkout's
 * expiry, a step to re-drive, a backstop for events not yet forwarded. Each object names its
 * deadlines in real time (its sandbox offset already taken off); the alarm goes to the earliest,
 * and never into the past (a deadline already due fires at once).
 */
export type Deadlines = Record<string, number | null | undefined>;

export function nextAlarmAt(deadlines: Deadlines, now_ms: number): number | null {
  let earliest: number | null = null;
  for (const at_ms of Object.values(deadlines)) {
    if (at_ms === null || at_ms === undefined) continue;
    if (earliest === null || at_ms < earliest) earliest = at_ms;
  }
  return earliest === null ? null : Math.max(now_ms, earliest);
}
