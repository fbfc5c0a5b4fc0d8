import { heldAmount } from "../domain/payout-machine";
import type { CallContext } from "../wallet/types";
import { walletObject } from "../wallet/wallet-do";
import type { MoveResult, PayoutStep } from "./types";

/**
 * Makes one move on the payout's wallet. Each wallet operation id is the payout's id and the move
 * (`po_…:hold`, `po_…:pay`, …): a move made again after a crash replays the wallet's first answer
 * instead of moving money twice. Only a hold can be refused (for want of funds, or past the user's
 * daily payout limit); any other
 * refusal, or anything thrown, leaves the step to be tried again.
 */
export async function makeMove(env: Env, step: PayoutStep, now_ms: number, clock_offset_ms: number): Promise<MoveResult> {
  const call: CallContext = { wallet_id: step.wallet_id, now_ms, clock_offset_ms, owner: step.owner, owner_verified: true };
  const wallet = walletObject(env, step.wallet_id);
  const operation_id = `${step.payout_id}:${step.kind}`;
  const { hold_id, payout_id, currency, amount, description } = step;
  const answer = await (() => {
    switch (step.kind) {
      case "hold": {
        const hold = { hold_id, user_id: step.user_id, payment_id: payout_id, reference: null, expires_at_ms: null };
        const limits = step.limits ? { payout_limits: step.limits } : {};
        return wallet.placeHold(call, { operation_id, ...hold, currency, amount: heldAmount(step), description, ...limits });
      }
      case "pay":
        return wallet.payOutHold(call, { operation_id, hold_id, payout_id, ...(step.fee ? { fee: step.fee } : {}) });
      case "release":
        return wallet.releaseHold(call, { operation_id, hold_id, payment_id: payout_id, payout_counted: step.user_id !== null });
      // A returned payout brings back its amount; the fee was the platform's once it was paid.
      case "return":
        return wallet.creditExternal(call, { operation_id, currency, amount, description: "Payout returned", reference: payout_id });
    }
  })();
  if (answer.ok) return { kind: "done" };
  const code = answer.code;
  if (step.kind === "hold" && (code === "insufficient_funds" || code === "limit_exceeded"))
    return { kind: "refused", code, message: answer.message };
  throw new Error(`payout ${payout_id} ${step.kind}: ${answer.code} ${answer.message}`);
}
