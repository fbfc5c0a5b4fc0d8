import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "../crypto/password";
import { findAccountByEmail, insertAccount, type AccountRow } from "../db/accounts";
import type { Database } from "../db/client";
import { toIsoSeconds } from "../domain/clock";
import { ApiError } from "../domain/errors";
import { newId } from "../domain/ids";
import { isStrongPassword, normalizeEmail, PASSWORD_RULE } from "../domain/password-policy";

/** Accounts, for the API (/auth) and the dashboard alike. */

export async function registerAccount(
  db: Database,
  input: { email: string; password: string; name?: string | undefined; now_ms: number },
): Promise<Omit<AccountRow, "password_hash">> {
  if (!isStrongPassword(input.password)) throw new ApiError("weak_password", PASSWORD_RULE, "password");
  const row = {
    id: newId("account"),
    email: normalizeEmail(input.email),
    name: input.name ?? null,
    password_hash: await hashPassword(input.password),
    created_at: toIsoSeconds(input.now_ms),
  };
  const account = await insertAccount(db, row);
  if (!account) throw new ApiError("email_taken", "An account with this email already exists; log in instead.", "email");
  const { password_hash: _, ...visible } = account;
  return visible;
}

/** The account when the password is right, else null. Call it inside the login throttle. */
export async function checkPassword(db: Database, email: string, password: string): Promise<AccountRow | null> {
  const found = await findAccountByEmail(db, email);
  // Hash even for an unknown email, so the response time does not reveal which emails have accounts.
  const valid = await verifyPassword(password, found?.password_hash ?? DUMMY_PASSWORD_HASH);
  return found && valid ? found : null;
}
