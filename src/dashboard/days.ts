import { TIME_ZONE_OFFSET_MS } from "./i18n";

const DAY_MS = 24 * 3600 * 1000;

/** The last `count` days up to the one `now_ms` falls in, as Baghdad counts days: each one's start (UTC ms) and its date. */
export function baghdadDays(now_ms: number, count: number): { start_ms: number; day: string }[] {
  const today_ms = Math.floor((now_ms + TIME_ZONE_OFFSET_MS) / DAY_MS) * DAY_MS - TIME_ZONE_OFFSET_MS;
  return Array.from({ length: count }, (_, i) => {
    const start_ms = today_ms - (count - 1 - i) * DAY_MS;
    return { start_ms, day: new Date(start_ms + TIME_ZONE_OFFSET_MS).toISOString().slice(0, 10) };
  });
}
