import type { Clock } from "../domain/clock";
import type { Currency } from "../domain/currencies";
import type { WalletOwner } from "../wallet/types";
import { walletCall, walletStub } from "./wallets";

/**
 * Returns money from a merchant's settlement wallet to a user's wallet: a `debit` there and a
 * `refund` entry here, through the settlement wallet's outbox like any move between wallets.
 * The payment refunds of the payments issue build on this.
 */
export async function refundToUserWallet(
  env: Env,
  input: {
    merchant: WalletOwner;
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
  const call = walletCall(input.settlement_wallet_id, input.clock, input.merchant, "registry");
  return walletStub(env, input.settlement_wallet_id).refundToWallet(call, {
    operation_id: input.operation_id,
    to_wallet_id: input.user_wallet_id,
    currency: input.currency,
    amount: input.amount,
    description: input.description,
    reference: input.reference,
  });
}
