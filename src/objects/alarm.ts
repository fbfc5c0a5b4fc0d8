import { nextAlarmAt, type Deadlines } from "../domain/alarm-plan";

/** Sets the object's one alarm for the earliest of its named deadlines (real time), or clears it. */
export function planAlarm(storage: DurableObjectStorage, deadlines: Deadlines): void {
  const at_ms = nextAlarmAt(deadlines, Date.now());
  if (at_ms === null) void storage.deleteAlarm();
  else void storage.setAlarm(at_ms);
}
