/** Every merchant-owned thing lives in one mode: sandbox data is never seen with a live key. */
export const MODES = ["sandbox", "live"] as const;
export type Mode = (typeof MODES)[number];
