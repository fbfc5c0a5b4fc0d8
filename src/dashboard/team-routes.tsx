import { z } from "@hono/zod-openapi";
import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { database } from "../db/client";
import { listMembers } from "../db/merchants";
import { toIsoSeconds } from "../domain/clock";
import { ApiError } from "../domain/errors";
import { can, ROLES, type Role } from "../domain/roles";
import { addOrChangeMember, removeMember } from "../services/members";
import type { DashEnv } from "./context";
import { pageProps, render, type Problem } from "./layout";
import { attempt, invalid } from "./outcome";
import { TeamPage } from "./pages/team";
import { denial } from "./scope";
import { formOf } from "./session";

/** The team: add an existing account, change roles, remove; the API's rules (services/members.ts). */
export const teamRoutes = new Hono<DashEnv>();

async function teamPage(
  c: Context<DashEnv>,
  extra: { problem?: Problem; values?: Record<string, string> } = {},
  status: ContentfulStatusCode = 200,
) {
  const members = await listMembers(database(c.env.DB), c.get("scope").merchant_id);
  const me = c.get("session")!.account_id;
  return render(c, <TeamPage p={pageProps(c, "team")} members={members} me={me} denied={denial(c, "manage_members")} {...extra} />, status);
}

function mayManage(c: Context<DashEnv>) {
  if (!can(c.get("scope").role, "manage_members")) throw new ApiError("insufficient_role", denial(c, "manage_members") ?? "");
}

teamRoutes.get("/team", (c) => teamPage(c));

teamRoutes.post("/team", async (c) => {
  const form = await formOf(c);
  const values = { email: (form.email ?? "").trim(), role: form.role ?? "" };
  const { merchant_id, role: actor } = c.get("scope");
  const result = !z.email().max(254).safeParse(values.email).success
    ? invalid("email", c.get("t")("invalid_input"))
    : !(ROLES as readonly string[]).includes(values.role)
      ? invalid("role", c.get("t")("invalid_input"))
      : await attempt(async () => {
          mayManage(c);
          const now = toIsoSeconds(c.get("clock").now_ms());
          return addOrChangeMember(database(c.env.DB), merchant_id, actor, { email: values.email, role: values.role as Role, now });
        });
  if (!result.ok) return teamPage(c, { problem: result.problem, values }, result.status);
  return c.redirect(`${c.get("scope").base}/team`, 303);
});

teamRoutes.post("/team/:account_id/remove", async (c) => {
  const { merchant_id, role: actor } = c.get("scope");
  const result = await attempt(async () => {
    mayManage(c);
    return removeMember(database(c.env.DB), merchant_id, actor, c.req.param("account_id").slice(0, 64));
  });
  if (!result.ok) return teamPage(c, { problem: result.problem }, result.status);
  // Who removed themselves has no merchant page left to see.
  if (c.req.param("account_id") === c.get("session")!.account_id) return c.redirect("/admin", 303);
  return c.redirect(`${c.get("scope").base}/team`, 303);
});
