/** Every merchant-owned thing lives in one mode: sandbox data is never seen with a live key. */
export const MODES = ["sandbox", "live"] as const;
export type Mode = (typeof MODES)[number];

/** Who owns a thing: one merchant, in one mode. Objects answer anyone else with not-found. */
export interface Owner {
  merchant_id: string;
  mode: Mode;
}
