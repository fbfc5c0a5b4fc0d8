import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { findApiKey, listApiKeys, revokeApiKey } from "../db/api-keys";
import { database } from "../db/client";
import { API_KEY_TYPES, type ApiKeyType } from "../domain/api-keys";
import { toIsoSeconds } from "../domain/clock";
import { ApiError, notFound } from "../domain/errors";
import { can, modePermission } from "../domain/roles";
import { forgetKey } from "../http/key-cache";
import { issueApiKey } from "../services/api-keys";
import type { DashEnv } from "./context";
import { pageProps, render, type Problem } from "./layout";
import { attempt, invalid } from "./outcome";
import { KeysPage, type Revealed } from "./pages/keys";
import { denial } from "./scope";
import { formOf } from "./session";

/** API keys of the page's mode: masked list, create (the secret shown once), revoke. */
export const keyRoutes = new Hono<DashEnv>();

/** Keys of a mode are managed by who may hold them: sandbox keys by developers up, live keys by owners and admins. */
const keyDenial = (c: Context<DashEnv>) => denial(c, modePermission(c.get("scope").mode));

export async function keysPage(
  c: Context<DashEnv>,
  extra: { revealed?: Revealed[]; problem?: Problem },
  status: ContentfulStatusCode = 200,
) {
  const keys = await listApiKeys(database(c.env.DB), c.get("scope").merchant_id);
  return render(c, <KeysPage p={pageProps(c, "keys")} keys={keys} denied={keyDenial(c)} {...extra} />, status);
}

keyRoutes.get("/keys", (c) => keysPage(c, {}));

keyRoutes.post("/keys", async (c) => {
  const form = await formOf(c);
  const { merchant_id, mode, role } = c.get("scope");
  const t = c.get("t");
  const type = form.type as ApiKeyType;
  const name = (form.name ?? "").trim();
  const result = !(API_KEY_TYPES as readonly string[]).includes(type)
    ? invalid("type", t("invalid_input"))
    : name.length > 100
      ? invalid("name", t("invalid_input"))
      : await attempt(async () => {
          if (!can(role, modePermission(mode))) throw new ApiError("insufficient_role", keyDenial(c) ?? "");
          return issueApiKey(database(c.env.DB), c.env.DATA_ENCRYPTION_KEY, {
            merchant_id,
            mode,
            type,
            name: name || null,
            now_ms: c.get("clock").now_ms(),
          });
        });
  if (!result.ok) return keysPage(c, { problem: result.problem }, result.status);
  const { row, secret } = result.value;
  const label = { secret: t("key_secret"), publishable: t("key_publishable"), signing: t("key_signing") }[row.type];
  const revealed: Revealed[] =
    row.type === "signing"
      ? [
          { label: `${label} (X-Api-Key)`, value: row.id },
          { label: t("signing_secret"), value: secret },
        ]
      : [{ label, value: secret }];
  return keysPage(c, { revealed }, 201);
});

keyRoutes.post("/keys/:key_id/revoke", async (c) => {
  const { merchant_id, role } = c.get("scope");
  const db = database(c.env.DB);
  const existing = await findApiKey(db, merchant_id, c.req.param("key_id").slice(0, 64));
  // Another mode's key is not on this page: as another merchant's, it does not exist here.
  if (!existing || existing.mode !== c.get("scope").mode) throw notFound("API key");
  const result = await attempt(async () => {
    if (!can(role, modePermission(existing.mode))) throw new ApiError("insufficient_role", keyDenial(c) ?? "");
    const revoked = await revokeApiKey(db, merchant_id, existing.id, toIsoSeconds(c.get("clock").now_ms()));
    if (!revoked) throw notFound("API key");
    forgetKey(revoked.id);
  });
  if (!result.ok) return keysPage(c, { problem: result.problem }, result.status);
  return c.redirect(`${c.get("scope").base}/keys`, 303);
});
