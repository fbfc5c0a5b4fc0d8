import { ApiError, notFound, type ErrorCode } from "./errors";

/**
 * The one vocabulary for what an object answers: a success, or a refusal it returns (not throws,
 * so it crosses RPC intact) with a code from the error catalogue — or `not_found`, which the caller
 * turns into a 404 naming what it looked for. Each object kind narrows `Code` to what it can say.
 */
export type RefusalCode = ErrorCode | "not_found";

export interface Refusal<Code extends RefusalCode = RefusalCode> {
  ok: false;
  code: Code;
  message: string;
  /** The field at fault, where the code alone does not say. */
  param?: string;
}

/** `replayed` marks the stored first answer of an operation id seen before. */
export type Outcome<T, Code extends RefusalCode = RefusalCode> = (({ ok: true } & T) | Refusal<Code>) & { replayed?: boolean };

export function refusal<Code extends RefusalCode>(code: Code, message: string, param?: string): Refusal<Code> {
  return param === undefined ? { ok: false, code, message } : { ok: false, code, message, param };
}

/** The field a refusal is about when the object did not name one. */
const FIELD_OF: Partial<Record<RefusalCode, string>> = {
  insufficient_funds: "amount",
  amount_exceeds_hold: "amount",
  amount_exceeds_authorization: "amount",
  amount_exceeds_refundable: "amount",
  balance_limit_exceeded: "amount",
  hold_not_active: "id",
  idempotency_key_reused: "Idempotency-Key",
  idempotency_key_in_use: "Idempotency-Key",
  client_secret_invalid: "client_secret",
};

/** The one mapper from an object's refusal to the API's error; `missing` names what a not_found is. */
export function refusalError(refusal: Refusal & { replayed?: boolean }, missing: { what: string; param: string }): ApiError {
  if (refusal.code === "not_found") return notFound(missing.what, missing.param);
  const headers: Record<string, string> = refusal.replayed ? { "Idempotent-Replayed": "true" } : {};
  return new ApiError(refusal.code, refusal.message, refusal.param ?? FIELD_OF[refusal.code], headers);
}

/** The success of an outcome (as it arrives over RPC), or its refusal thrown as the API error. */
export function unwrap<O extends Outcome<object>>(outcome: O, missing: { what: string; param: string }): Extract<O, { ok: true }> {
  if (!outcome.ok) throw refusalError(outcome as Refusal, missing);
  return outcome as Extract<O, { ok: true }>;
}
