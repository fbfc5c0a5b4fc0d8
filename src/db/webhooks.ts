import { and, count, desc, eq, or, sql } from "drizzle-orm";
import type { Mode } from "../domain/mode";
import type { Database } from "./client";
import { webhook_deliveries, webhook_endpoints } from "./schema";
import { statementChunks } from "../domain/chunks";

export type EndpointRow = typeof webhook_endpoints.$inferSelect;
export type DeliveryRow = typeof webhook_deliveries.$inferSelect;
type Scope = { merchant_id: string; mode: Mode };

const inScope = (scope: Scope) => and(eq(webhook_endpoints.merchant_id, scope.merchant_id), eq(webhook_endpoints.mode, scope.mode));

/**
 * Adds an endpoint unless its merchant and mode already have `max`: the count and the insert are
 * one statement, so creations racing each other cannot pass the bound together.
 */
export async function insertEndpointWithin(db: Database, row: EndpointRow, max: number): Promise<boolean> {
  const r = row;
  const result = await db.run(sql`
    INSERT INTO webhook_endpoints (id, merchant_id, mode, url, events, description, status, disabled_reason, secret_sealed,
      previous_secret_sealed, previous_secret_expires_at_ms, created_at, updated_at)
    SELECT ${r.id}, ${r.merchant_id}, ${r.mode}, ${r.url}, ${r.events}, ${r.description}, ${r.status}, ${r.disabled_reason},
      ${r.secret_sealed},
      ${r.previous_secret_sealed}, ${r.previous_secret_expires_at_ms}, ${r.created_at}, ${r.updated_at}
    WHERE (SELECT count(*) FROM webhook_endpoints WHERE merchant_id = ${r.merchant_id} AND mode = ${r.mode}) < ${max}`);
  return result.meta.changes > 0;
}

export async function findEndpoint(db: Database, id: string, scope?: Scope): Promise<EndpointRow | undefined> {
  return db
    .select()
    .from(webhook_endpoints)
    .where(scope ? and(eq(webhook_endpoints.id, id), inScope(scope)) : eq(webhook_endpoints.id, id))
    .get();
}

export async function listEndpoints(db: Database, scope: Scope): Promise<EndpointRow[]> {
  return db.select().from(webhook_endpoints).where(inScope(scope)).orderBy(desc(webhook_endpoints.created_at)).all();
}

export async function enabledEndpoints(db: Database, scope: Scope): Promise<EndpointRow[]> {
  return db
    .select()
    .from(webhook_endpoints)
    .where(and(inScope(scope), eq(webhook_endpoints.status, "enabled")))
    .all();
}

/** The enabled endpoints of several merchants and modes at once (a queue batch's events). */
export async function enabledEndpointsOf(db: Database, scopes: Scope[]): Promise<EndpointRow[]> {
  const rows: EndpointRow[] = [];
  // Two parameters per scope (merchant, mode), and one for the status.
  for (const part of statementChunks(scopes, { fixed: 1, per_item: 2 })) {
    rows.push(
      ...(await db
        .select()
        .from(webhook_endpoints)
        .where(and(or(...part.map(inScope)), eq(webhook_endpoints.status, "enabled")))
        .all()),
    );
  }
  return rows;
}

export async function updateEndpoint(
  db: Database,
  id: string,
  scope: Scope,
  changes: Partial<EndpointRow>,
): Promise<EndpointRow | undefined> {
  const [row] = await db
    .update(webhook_endpoints)
    .set(changes)
    .where(and(eq(webhook_endpoints.id, id), inScope(scope)))
    .returning();
  return row;
}

export async function deleteEndpoint(db: Database, id: string, scope: Scope): Promise<EndpointRow | undefined> {
  const [row] = await db
    .delete(webhook_endpoints)
    .where(and(eq(webhook_endpoints.id, id), inScope(scope)))
    .returning();
  return row;
}

export async function disableEndpoint(db: Database, id: string, reason: string, now: string): Promise<void> {
  await db
    .update(webhook_endpoints)
    .set({ status: "disabled", disabled_reason: reason, updated_at: now })
    .where(eq(webhook_endpoints.id, id));
}

export async function insertDelivery(db: Database, row: DeliveryRow): Promise<void> {
  await db.insert(webhook_deliveries).values(row);
}

export async function listDeliveries(db: Database, endpoint_id: string, limit: number, offset: number) {
  const where = eq(webhook_deliveries.endpoint_id, endpoint_id);
  const [rows, [total]] = await db.batch([
    db
      .select()
      .from(webhook_deliveries)
      .where(where)
      .orderBy(desc(webhook_deliveries.attempted_at_ms), desc(webhook_deliveries.attempt))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(webhook_deliveries).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}
