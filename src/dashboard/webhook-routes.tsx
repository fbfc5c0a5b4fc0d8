import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { database } from "../db/client";
import { listDeliveries, listEndpoints } from "../db/webhooks";
import { ApiError } from "../domain/errors";
import { EVENT_TYPES } from "../domain/events";
import { can } from "../domain/roles";
import { changeEndpoint, createEndpoint, requireEndpoint, rotateEndpointSecret } from "../services/webhook-endpoints";
import type { DashEnv } from "./context";
import { formatDate } from "./i18n";
import { pageProps, render, type Problem } from "./layout";
import { attempt, invalid, type Attempt } from "./outcome";
import { EndpointPage, WebhooksPage } from "./pages/webhooks";
import { actInMode, denial } from "./scope";
import { formOf } from "./session";

/** Webhook endpoints of the page's mode: create, edit, disable or enable, rotate the secret; each delivery attempt. */
export const webhookRoutes = new Hono<DashEnv>();

const PER_PAGE = 20;
const KNOWN = new Set<string>(["*", ...EVENT_TYPES]);

/** The events field: a comma-separated list of the API's event types, or "*". */
function eventsField(c: Context<DashEnv>, text: string | undefined): Attempt<string[]> {
  const list = (text ?? "")
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = list.find((e) => !KNOWN.has(e));
  if (list.length === 0 || list.length > EVENT_TYPES.length || unknown !== undefined)
    return invalid("events", `${c.get("t")("invalid_input")} ${unknown ?? ""} (${EVENT_TYPES.join(", ")})`.trim());
  return { ok: true, value: list };
}

function fields(form: Record<string, string>) {
  return { url: (form.url ?? "").trim().slice(0, 2048), events: form.events ?? "", description: (form.description ?? "").trim() };
}

/**
 * An endpoint form, checked (events known, description within 500), then acted on by someone whose
 * role may: the API's refusals come back at their field.
 */
async function withEndpointForm<T>(
  c: Context<DashEnv>,
  values: ReturnType<typeof fields>,
  act: (form: { url: string; events: string[]; description: string | null; now_ms: number }) => Promise<T>,
): Promise<Attempt<T>> {
  const events = eventsField(c, values.events);
  if (!events.ok) return events;
  if (values.description.length > 500) return invalid("description", c.get("t")("invalid_input"));
  return attempt(async () => {
    mayAct(c);
    const form = { url: values.url, events: events.value, description: values.description || null, now_ms: c.get("clock").now_ms() };
    return act(form);
  });
}

function mayAct(c: Context<DashEnv>) {
  if (!can(c.get("scope").role, actInMode(c))) throw new ApiError("insufficient_role", denial(c, actInMode(c)) ?? "");
}

async function listPage(
  c: Context<DashEnv>,
  extra: { problem?: Problem; values?: Record<string, string> } = {},
  status: ContentfulStatusCode = 200,
) {
  const endpoints = await listEndpoints(database(c.env.DB), c.get("scope").caller);
  return render(c, <WebhooksPage p={pageProps(c, "webhooks")} endpoints={endpoints} denied={denial(c, actInMode(c))} {...extra} />, status);
}

webhookRoutes.get("/webhooks", (c) => listPage(c));

webhookRoutes.post("/webhooks", async (c) => {
  const values = fields(await formOf(c));
  const result = await withEndpointForm(c, values, (form) =>
    createEndpoint(database(c.env.DB), c.env.DATA_ENCRYPTION_KEY, c.get("scope").caller, {
      ...form,
      description: form.description ?? undefined,
    }),
  );
  if (!result.ok) return listPage(c, { problem: result.problem, values }, result.status);
  return endpointPage(c, result.value.row.id, { secret: { value: result.value.secret, note: "" } }, 201);
});

async function endpointPage(
  c: Context<DashEnv>,
  id: string,
  extra: { problem?: Problem; values?: Record<string, string>; secret?: { value: string; note: string } } = {},
  status: ContentfulStatusCode = 200,
) {
  const db = database(c.env.DB);
  const endpoint = await requireEndpoint(db, id.slice(0, 64), c.get("scope").caller);
  const page = Math.min(Math.max(1, Number.parseInt(c.req.query("page") ?? "1", 10) || 1), 100_000);
  const deliveries = await listDeliveries(db, endpoint.id, PER_PAGE, (page - 1) * PER_PAGE);
  const node = (
    <EndpointPage
      p={pageProps(c, "webhooks")}
      endpoint={endpoint}
      deliveries={deliveries.rows}
      total={deliveries.total}
      page={page}
      per_page={PER_PAGE}
      url={c.req.url}
      denied={denial(c, actInMode(c))}
      {...extra}
    />
  );
  return render(c, node, status);
}

webhookRoutes.get("/webhooks/:id", (c) => endpointPage(c, c.req.param("id")));

webhookRoutes.post("/webhooks/:id", async (c) => {
  const id = c.req.param("id");
  const values = fields(await formOf(c));
  const result = await withEndpointForm(c, values, (form) =>
    changeEndpoint(database(c.env.DB), id.slice(0, 64), c.get("scope").caller, form),
  );
  if (!result.ok) return endpointPage(c, id, { problem: result.problem, values }, result.status);
  return c.redirect(`${c.get("scope").base}/webhooks/${id}`, 303);
});

for (const [path, disabled] of [
  ["disable", true],
  ["enable", false],
] as const) {
  webhookRoutes.post(`/webhooks/:id/${path}`, async (c) => {
    const id = c.req.param("id").slice(0, 64);
    const result = await attempt(async () => {
      mayAct(c);
      return changeEndpoint(database(c.env.DB), id, c.get("scope").caller, { disabled, now_ms: c.get("clock").now_ms() });
    });
    if (!result.ok) return endpointPage(c, id, { problem: result.problem }, result.status);
    return c.redirect(`${c.get("scope").base}/webhooks/${id}`, 303);
  });
}

webhookRoutes.post("/webhooks/:id/rotate", async (c) => {
  const id = c.req.param("id").slice(0, 64);
  const result = await attempt(async () => {
    mayAct(c);
    return rotateEndpointSecret(database(c.env.DB), c.env.DATA_ENCRYPTION_KEY, id, c.get("scope").caller, c.get("clock").now_ms());
  });
  if (!result.ok) return endpointPage(c, id, { problem: result.problem }, result.status);
  const note = c.get("t")("previous_secret_until", { at: formatDate(c.get("lang"), result.value.previous_secret_expires_at) });
  return endpointPage(c, id, { secret: { value: result.value.secret, note } });
});
