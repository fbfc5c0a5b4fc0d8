import type { Clock } from "../domain/clock";
import type { Currency } from "../domain/currencies";
import type { Mode } from "../http/context";
import { walletCall, walletStub } from "./wallets";

/**
 * Returns money from a merchant's settlement wallet to a user's wallet: a `debit` there and a
 * `refund` entry here, through the settlement wallet's outbox like any move between wallets.
 * The payment refunds of the payments issue build on this.
 */
export async function refundToUserWallet(
  env: Env,
  input: {
    merchant: { merchant_id: string; mode: Mode };
    settlement_wallet_id: string;
    user_wallet_id: string;
    operation_id: string;
    currency: Currency;
    amount: number;
    reference: string;
    description: string | null;
    clock: Clock;
  },
) {
  const stub = walletStub(env, input.settlement_wallet_id);
  const call = walletCall(input.settlement_wallet_id, input.clock, input.merchant);
  return stub.transfer(call, {
    operation_id: input.operation_id,
    to_wallet_id: input.user_wallet_id,
    entry_type: "refund",
    merchant_id: input.merchant.merchant_id,
    currency: input.currency,
    amount: input.amount,
    description: input.description,
    reference: input.reference,
  });
}
