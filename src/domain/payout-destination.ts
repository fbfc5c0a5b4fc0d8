import { normalizeIban } from "./iban";

/** The mobile wallets Iraqi sellers are paid to. */
export const MOBILE_WALLET_PROVIDERS = ["zaincash", "fastpay", "qicard"] as const;
export type MobileWalletProvider = (typeof MOBILE_WALLET_PROVIDERS)[number];

/** Where a payout sends money: an account at a bank, or a mobile wallet named by its phone number. */
export type PayoutDestination =
  | { type: "bank_account"; iban: string; account_holder_name: string }
  | { type: "mobile_wallet"; provider: MobileWalletProvider; phone: string };

/**
 * What a payout shows of its destination: enough for a merchant or seller to recognise the account
 * (its last four characters), never the whole number — the way card numbers are shown.
 */
export type DestinationView =
  | { type: "bank_account"; account_holder_name: string; country: string; last4: string }
  | { type: "mobile_wallet"; provider: MobileWalletProvider; last4: string };

/** Iraqi mobile numbers in E.164: +964, then 7 and nine digits. The providers hold no others. */
export const IRAQI_MOBILE = /^\+9647[0-9]{9}$/;

/** A destination as stored: the IBAN without spaces, in capitals. */
export function normalizeDestination(destination: PayoutDestination): PayoutDestination {
  return destination.type === "bank_account" ? { ...destination, iban: normalizeIban(destination.iban) } : destination;
}

export function destinationView(destination: PayoutDestination): DestinationView {
  if (destination.type === "mobile_wallet")
    return { type: "mobile_wallet", provider: destination.provider, last4: destination.phone.slice(-4) };
  const { account_holder_name, iban } = destination;
  return { type: "bank_account", account_holder_name, country: iban.slice(0, 2), last4: iban.slice(-4) };
}
