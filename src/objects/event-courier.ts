import type { Owner } from "../domain/mode";
import type { EventOutbox } from "./event-outbox";

/** How soon the alarm re-sends events whose immediate forwarding was lost. */
export const EVENT_BACKSTOP_MS = 5_000;

interface CourierOptions {
  /**
   * How long a send waits to gather more events: on a busy wallet one queue send (and one outbox
   * update) then carries the events of many writes instead of one each. 0 sends at once.
   */
  coalesce_ms: number;
  /** Re-plans the object's alarm: called when a backstop is first needed, and when it no longer is. */
  replanAlarm: () => void;
}

/**
 * Carries an object's recorded events to the events queue after each commit. The object's alarm is
 * the backstop: armed once when events wait (not on every write: a hot wallet records events all
 * the time) and released when the outbox has drained. A failed send leaves the events for the alarm.
 */
export class EventCourier {
  private due: Promise<void> | null = null;
  private backstopArmed = false;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly outbox: EventOutbox,
    private readonly queue: Queue,
    private readonly owner: () => Owner | null,
    private readonly options: CourierOptions,
  ) {}

  /** After a commit that may have recorded events. */
  afterCommit(): void {
    if (this.due) return; // a send is already due and will carry these events too
    if (!this.outbox.hasUnforwarded()) return;
    if (!this.backstopArmed) {
      this.backstopArmed = true;
      this.options.replanAlarm();
    }
    this.due = (
      this.options.coalesce_ms === 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, this.options.coalesce_ms))
    ).then(() => {
      this.due = null;
      return this.forward();
    });
    this.ctx.waitUntil(this.due);
  }

  /** Sends what waits now (also the alarm's path); never throws. */
  async forward(): Promise<void> {
    const owner = this.owner();
    if (!owner) return;
    try {
      await this.outbox.forward(this.queue, owner);
      if (this.backstopArmed && !this.outbox.hasUnforwarded()) {
        this.backstopArmed = false;
        this.options.replanAlarm();
      }
    } catch (error) {
      console.error(JSON.stringify({ event_forwarding_failed: String(error) }));
    }
  }

  /** The alarm fired: whatever it plans next re-arms the backstop if events still wait. */
  alarmFired(): void {
    this.backstopArmed = false;
  }

  /** The alarm's deadline for events still waiting, in real time; null when none wait. */
  backstopAt(real_now_ms: number): number | null {
    return this.outbox.hasUnforwarded() ? real_now_ms + EVENT_BACKSTOP_MS : null;
  }
}
