import { ApiError } from "../domain/errors";
import type { Problem } from "./layout";

/**
 * Runs one action of a form. The API's refusals (ApiError: its code, message and `param`) come back
 * as a Problem the page shows at its field; anything else is a bug and goes on to the error page.
 */
export type Attempt<T> = { ok: true; value: T } | { ok: false; problem: Problem; status: 400 | 403 | 404 | 409 | 422 | 429 };

export async function attempt<T>(action: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status >= 500) throw error;
    const status = ([400, 403, 404, 409, 422, 429] as const).find((s) => s === error.status) ?? 422;
    return { ok: false, problem: { code: error.code, message: error.message, param: error.param }, status };
  }
}

/** A refusal of the form itself, before any service ran (the dashboard's parsing of a field). */
export function invalid(param: string, message: string): Attempt<never> {
  return { ok: false, problem: { message, param }, status: 422 };
}
