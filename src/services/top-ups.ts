import type { Database } from "../db/client";
import type { MerchantCaller } from "../domain/callers";
import type { Buyer } from "../domain/checkout-machine";
import type { Clock } from "../domain/clock";
import { CURRENCIES, type Currency } from "../domain/currencies";
import { ApiError } from "../domain/errors";
import { isValidAmount } from "../domain/money";
import { unwrap } from "../domain/outcome";
import { chargeOf, topUpOf, type FeeBearer, type TopUp } from "../domain/top-up";
import { platformWalletId, requireUser, walletCall, walletStub } from "./wallets";

/**
 * A wallet top-up intent as the merchant asks for it: the buyer (a synced user), the top-up with
 * its fee at the merchant's commission of the moment and its KYC limits, and what the card will be
 * charged. Refused before anything is created when the buyer's KYC level does not allow the
 * top-up today (the capture checks again, for real; a retry of a create already answered is not
 * checked, so that it replays), or when the charge with the fee would pass the currency's largest
 * amount.
 */
export async function prepareTopUp(
  env: Env,
  db: Database,
  merchant: MerchantCaller,
  clock: Clock,
  asked: { external_user_id: string; amount: number; currency: Currency; fee_bearer: FeeBearer },
  check_allowance: boolean,
): Promise<{ buyer: Buyer; top_up: TopUp; charge: number }> {
  const user = await requireUser(db, merchant, asked.external_user_id, "external_user_id");
  const top_up = topUpOf({
    amount: asked.amount,
    fee_bearer: asked.fee_bearer,
    commission_bps: merchant.commission_bps,
    settlement_wallet_id: merchant.settlement_wallet_id,
    platform_wallet_id: platformWalletId(merchant),
    kyc_limits: merchant.kyc_limits,
  });
  const charge = chargeOf(top_up);
  if (!isValidAmount(charge, asked.currency)) {
    const max = CURRENCIES[asked.currency].max_amount_minor;
    throw new ApiError(
      "parameter_invalid",
      `With its ${top_up.fee_amount} fee the card would be charged ${charge}; at most ${max}.`,
      "amount",
    );
  }
  if (check_allowance) {
    const call = walletCall(user.wallet_id, clock, merchant, "registry");
    const request = { operation_id: "", currency: asked.currency, amount: asked.amount, kyc_limits: merchant.kyc_limits };
    unwrap(await walletStub(env, user.wallet_id).checkTopUpAllowance(call, request), { what: "user", param: "external_user_id" });
  }
  const buyer = { user_id: user.id, external_id: user.external_id, full_name: user.full_name, wallet_id: user.wallet_id };
  return { buyer, top_up, charge };
}
