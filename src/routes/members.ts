import { OpenAPIHono, z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { listMembers } from "../db/merchants";
import { toIsoSeconds } from "../domain/clock";
import { ROLES } from "../domain/roles";
import { requirePermission } from "../http/auth-dashboard";
import type { AppEnv } from "../http/context";
import { ok } from "../http/envelope";
import { idempotency } from "../http/idempotency";
import { defineRoute, errors, jsonBody, success, type RequestBodyOf, type ResponseDataOf } from "../http/openapi";
import { addOrChangeMember, removeMember } from "../services/members";
import { MerchantId } from "./merchants";

// ---- Contract ---------------------------------------------------------------------------------

const Member = z
  .object({
    account_id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: z.enum(ROLES),
    created_at: z.string(),
  })
  .openapi("Member");

const params = z.object({ id: MerchantId });
const memberParams = params.extend({
  account_id: z
    .string()
    .max(64)
    .openapi({ param: { name: "account_id", in: "path" } }),
});

const add = defineRoute({
  method: "post",
  path: "/{id}/members",
  operationId: "addMember",
  tags: ["Onboarding"],
  summary: "Add an existing account to the team, or change its role (owner, admin)",
  auth: "member",
  idempotent: true,
  middleware: [requirePermission("manage_members"), idempotency] as const,
  request: { params, body: jsonBody(z.strictObject({ email: z.email().max(254), role: z.enum(ROLES) })) },
  responses: {
    201: success(Member, "Member added"),
    200: success(Member, "Role changed"),
    ...errors(403),
  },
});

const list = defineRoute({
  method: "get",
  path: "/{id}/members",
  operationId: "listMembers",
  tags: ["Onboarding"],
  summary: "The team",
  auth: "member",
  request: { params },
  responses: { 200: success(z.object({ members: z.array(Member) }), "Members, oldest first") },
});

const remove = defineRoute({
  method: "delete",
  path: "/{id}/members/{account_id}",
  operationId: "removeMember",
  tags: ["Onboarding"],
  summary: "Remove a member (owner, admin); the last owner cannot be removed",
  auth: "member",
  middleware: [requirePermission("manage_members")] as const,
  request: { params: memberParams },
  responses: { 200: success(Member, "The removed member"), ...errors(403) },
});

// ---- Handlers ---------------------------------------------------------------------------------

export const memberRoutes = new OpenAPIHono<AppEnv>();

memberRoutes.openapi(add, async (c) => {
  const input = c.req.valid("json");
  const { merchant_id, role: actor } = c.get("membership");
  const now = toIsoSeconds(c.get("clock").now_ms());
  const { member, added } = await addOrChangeMember(database(c.env.DB), merchant_id, actor, { ...input, now });
  return added ? c.json(ok(member), 201) : c.json(ok(member), 200);
});

memberRoutes.openapi(list, async (c) => {
  return c.json(ok({ members: await listMembers(database(c.env.DB), c.get("membership").merchant_id) }), 200);
});

memberRoutes.openapi(remove, async (c) => {
  const { merchant_id, role: actor } = c.get("membership");
  const member = await removeMember(database(c.env.DB), merchant_id, actor, c.req.valid("param").account_id);
  return c.json(ok(member), 200);
});

// The contract's types, as clients (and the tests) send and read them.
export type AddMemberRequest = RequestBodyOf<typeof add>;
export type AddMemberResponse = ResponseDataOf<typeof add, 201>;
export type ListMembersResponse = ResponseDataOf<typeof list, 200>;
export type RemoveMemberResponse = ResponseDataOf<typeof remove, 200>;
