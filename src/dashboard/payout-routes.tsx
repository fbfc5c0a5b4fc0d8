import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError } from "../domain/errors";
import { randomBase62 } from "../domain/ids";
import { unwrap } from "../domain/outcome";
import { PAYOUT_STATUSES } from "../domain/payout-machine";
import { can } from "../domain/roles";
import { cancelPayout, listPayoutPage, merchantPayoutCall } from "../services/payouts";
import { operationIdFor } from "../services/wallets";
import type { DashEnv } from "./context";
import { pageProps, render, type Problem } from "./layout";
import { attempt, invalid, type Attempt } from "./outcome";
import { PayoutsPage } from "./pages/payouts";
import { actInMode, denial } from "./scope";
import { formOf } from "./session";

/** Payouts: the list (all, or one user's), with a cancel button on each pending one. The same services as the API. */
export const payoutRoutes = new Hono<DashEnv>();

const PER_PAGE = 20;
const USER_ID = /^mzd_usr_[0-9A-Za-z]{16}$/;

function call(c: Context<DashEnv>) {
  return merchantPayoutCall(c.get("scope").caller, c.get("clock"), { request_id: c.get("requestId"), idempotency_key: null });
}

async function payoutsPage(c: Context<DashEnv>, problem?: Problem, status: ContentfulStatusCode = 200) {
  const q = c.req.query();
  const filters = { status: q.status ?? "", user: q.user ?? "" };
  const page = Math.min(Math.max(1, Number.parseInt(q.page ?? "1", 10) || 1), 100_000);
  const t = c.get("t");
  let refused = problem;
  if (filters.status && !(PAYOUT_STATUSES as readonly string[]).includes(filters.status))
    refused = { message: t("invalid_input"), param: "status" };
  else if (filters.user && !USER_ID.test(filters.user)) refused = { message: t("invalid_input"), param: "user" };
  const listed = refused?.param === "status" || refused?.param === "user";
  const found = listed
    ? { payouts: [], total: 0 }
    : await listPayoutPage(
        c.env,
        call(c),
        { status: filters.status || undefined, user_id: filters.user || undefined },
        { limit: PER_PAGE, offset: (page - 1) * PER_PAGE },
      );
  const denied = denial(c, actInMode(c));
  const node = (
    <PayoutsPage
      p={pageProps(c, "payouts")}
      {...found}
      page={page}
      per_page={PER_PAGE}
      url={c.req.url}
      filters={filters}
      denied={denied}
      op={randomBase62(24)}
      problem={refused}
    />
  );
  return render(c, node, refused && status === 200 ? 422 : status);
}

payoutRoutes.get("/payouts", (c) => payoutsPage(c));

/**
 * Cancels a pending payout. The form's `op` names the operation, so a form sent twice is one
 * cancel; a post without one is refused rather than given a fresh id.
 */
payoutRoutes.post("/payouts/:id/cancel", async (c) => {
  const id = (c.req.param("id") ?? "").slice(0, 64);
  const form = await formOf(c);
  const { merchant_id, mode, role } = c.get("scope");
  const op = form.op ?? "";
  const result: Attempt<unknown> = !/^[A-Za-z0-9]{16,64}$/.test(op)
    ? invalid("op", c.get("t")("form_stale"))
    : await attempt(async () => {
        if (!can(role, actInMode(c))) throw new ApiError("insufficient_role", denial(c, actInMode(c)) ?? "");
        const operation_id = await operationIdFor(`dashboard:${merchant_id}:${mode}`, op);
        return unwrap(await cancelPayout(c.env, call(c), id, operation_id), { what: "payout", param: "id" });
      });
  if (!result.ok) return payoutsPage(c, result.problem, result.status);
  const back = c.req.header("Referer");
  const same = back && new URL(back).origin === new URL(c.req.url).origin ? new URL(back) : null;
  const base = `${c.get("scope").base}/payouts`;
  return c.redirect(same?.pathname === base ? `${base}${same.search}` : base, 303);
});
