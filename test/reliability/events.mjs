// Events: after the storm, webhooks and crash traffic, every effect that acknowledged answers say
// happened has exactly one event of its type; no two events share an effect; nothing stays in an
// object's outbox unforwarded; and at a merchant's receiver one webhook-id is one event. Counted per
// EFFECT (a hold's capture, a refund), never per delivery: a count of deliveries let duplicate
// events through, each with its own id, which a merchant deduplicating by webhook-id books twice.
//
// Where the events come from: GET /api/v1/events (what the merchant sees, for the merchants whose
// traffic the parts modelled), every object's outbox and the D1 events index read from the
// persisted state once the runtime is stopped (for every merchant), and the receivers' logs.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { randomUUID } from "node:crypto";
import { startReceiver } from "../../bench/flows.mjs";
import { sleep } from "./client.mjs";

/** src/domain/checkout-machine.ts MAX_ATTEMPTS: an intent's counted declines are numbered by what is left. */
const MAX_ATTEMPTS = 5;
/**
 * Miniflare's queues keep their messages in memory: what the events queue held when workerd was
 * SIGKILLed is gone, after the object had (rightly) marked it forwarded. A Cloudflare queue keeps
 * what `sendBatch` accepted, so such a loss is the test bench's, not the product's. A message waits
 * up to 1 s for its batch, or 5 s when the consumer asked for a retry: an event forwarded in the
 * 10 s before a kill and missing from the index is counted apart; any other is a violation.
 */
const IN_QUEUE_MS = 10_000;
/** The index and the receivers count as settled once they have not changed for this long. */
const SETTLED_MS = 8_000;
const SETTLE_LIMIT_MS = 180_000;

/**
 * The effect an event records, as a key: the event type and what changed. A refund's effect is the
 * refund (payment.refunded or payment.partially_refunded, whichever it made), so a refund that
 * produced both would be a duplicate; a counted decline is the intent with the attempts it left.
 * @param {string} type @param {string} id
 */
export function effectKey(type, id) {
  return `${type === "payment.refunded" || type === "payment.partially_refunded" ? "refund" : type} ${id}`;
}

/** The effect of an event as it is stored or delivered. @param {string} type @param {any} data @param {string | null} request_id */
export function effectOf(type, data, request_id) {
  const object = data?.object ?? {};
  if (type === "user.synced") return effectKey(type, String(request_id)); // each acknowledged sync is one
  if (type === "payment.refunded" || type === "payment.partially_refunded") return effectKey(type, data?.refund?.id);
  if (type === "payment_intent.payment_failed") return effectKey(type, `${object.id} ${object.attempts_remaining}`);
  return effectKey(type, object.id);
}

/**
 * What one merchant's acknowledged answers say happened, effect by effect, and the event each must
 * produce (src/domain/events.ts; the wallet and payment objects record them):
 *   hold placed / captured / released / expired → hold.created / hold.captured / hold.released / hold.expired
 *   transfer completed (its credit landed)      → transfer.completed
 *   session paid / intent paid                  → checkout.authorized / payment_intent.succeeded
 *   payment captured / voided / lapsed          → payment.captured / payment.voided / payment.expired
 *   refund                                      → payment.partially_refunded, or payment.refunded when it refunds the rest
 *   session expired / canceled                  → checkout.expired / checkout.canceled
 *   intent canceled or expired                  → payment_intent.canceled (both: src/domain/checkout-machine.ts CLOSED_EVENT)
 *   a decline that counts (an intent's)         → payment_intent.payment_failed, one per attempt used
 *   user synced                                 → user.synced (one per sync request, in D1 directly)
 *   payout created, and each step the rail took → payout.created, payout.in_transit, payout.paid, … (its final state)
 *   card top-up paid (captured at once)         → payment_intent.succeeded, payment.captured, wallet.topped_up
 * And none for: a top-up; creating a session or an intent; a decline that does not count, a
 * session's wrong code before the fifth; a payment's own hold (the payment records its events, the
 * hold none); a capture's settlement and commission credits, a refund's credit back to the buyer's
 * wallet (money moving inside the system, not a transfer the merchant made).
 * @param {string} name @param {string} secret_key the merchant's
 */
export function effectBook(name, secret_key) {
  /** @type {Map<string, string>} effect → the event type it must produce */
  const expected = new Map();
  return {
    name,
    secret_key,
    expected,
    /**
     * Checkouts (cs_…, pi_…) made by the traffic: what no acknowledged answer tells (a deadline that
     * passed, a decline whose answer was lost and that the retry repeated) is read from their final state.
     * @type {Set<string>}
     */
    checkouts: new Set(),
    /**
     * Payouts (po_…) made by the traffic: each step the rail took (some long after the answer, as
     * the sandbox clock moved) is read from the timestamps of its final state.
     * @type {Set<string>}
     */
    payouts: new Set(),
    /** @param {string} type @param {string} id what changed (a refund's id for refunds) */
    expect(type, id) {
      expected.set(effectKey(type, id), type);
    },
    /** An acknowledged user sync: its event names the request. @param {{ status: number, headers: Headers }} res */
    synced(res) {
      if (res.status === 200 || res.status === 201) this.expect("user.synced", String(res.headers.get("x-request-id")));
    },
  };
}

/** @typedef {ReturnType<typeof effectBook>} EffectBook */

/**
 * A receiver for every event of a merchant, failing one delivery in ten so that some events arrive
 * more than once (a retry must carry the same webhook-id).
 * @param {ReturnType<typeof import("./client.mjs").client>} api @param {{ secret_key: string }} merchant
 */
export async function eventsReceiver(api, merchant) {
  const receiver = await startReceiver({ keep: true, refuse: () => (Math.random() < 0.1 ? 500 : null) });
  const auth = { authorization: `Bearer ${merchant.secret_key}`, "idempotency-key": randomUUID() };
  const endpoint = await api.definite(
    "POST",
    "/api/v1/webhook-endpoints",
    { url: receiver.url, events: ["*"], description: "reliability: events" },
    auth,
  );
  if (endpoint.status !== 201) throw new Error(`events receiver endpoint: ${endpoint.status} ${endpoint.text}`);
  receiver.use(endpoint.body.data.secret);
  return receiver;
}

/** Every event GET /events lists for the merchant (newest first, 100 a page; read again if it moved meanwhile). */
async function listed(api, book) {
  const auth = { authorization: `Bearer ${book.secret_key}` };
  for (let round = 0; ; round++) {
    /** @type {Map<string, any>} */
    const events = new Map();
    let total = 0;
    for (let page = 1; ; page++) {
      const res = await api.definite("GET", `/api/v1/events?per_page=100&page=${page}`, undefined, auth);
      if (res.status !== 200) throw new Error(`GET /events for ${book.name}: ${res.status} ${res.text.slice(0, 200)}`);
      for (const e of res.body.data.events) events.set(e.id, e);
      total = res.body.data.pagination.total;
      if (page >= res.body.data.pagination.total_pages) break;
    }
    if (events.size === total || round >= 3) return { events, total };
  }
}

/** The payout steps, by the timestamp its final state shows once it was taken. */
const PAYOUT_STEPS = [
  ["created_at", "payout.created"],
  ["in_transit_at", "payout.in_transit"],
  ["paid_at", "payout.paid"],
  ["failed_at", "payout.failed"],
  ["canceled_at", "payout.canceled"],
  ["returned_at", "payout.returned"],
];

/** Adds the effects no answer acknowledged, from each checkout's and payout's final state. */
async function fromFinalStates(api, book) {
  const auth = { authorization: `Bearer ${book.secret_key}` };
  for (const id of book.payouts) {
    // (Reading it also plays what the rail did by the merchant's clock; the last step's event follows the read.)
    await api.definite("GET", `/api/v1/payouts/${id}`, undefined, auth);
    await sleep(200);
    const res = await api.definite("GET", `/api/v1/payouts/${id}`, undefined, auth);
    if (res.status !== 200) continue; // a lost payout is the crash part's to report
    for (const [field, type] of PAYOUT_STEPS) if (res.body.data[field] !== null) book.expect(type, id);
  }
  for (const id of book.checkouts) {
    const session = id.startsWith("cs_");
    // (Reading it also closes a checkout whose deadline passed unseen: its event follows the read.)
    const res = await api.definite("GET", session ? `/api/v1/checkout/sessions/${id}` : `/api/v1/payment-intents/${id}`, undefined, auth);
    if (res.status !== 200) continue; // a lost checkout is the crash part's to report
    const c = res.body.data;
    if (session && c.status === "expired") book.expect("checkout.expired", id);
    if (session && c.status === "canceled") book.expect("checkout.canceled", id); // five wrong codes
    if (!session && (c.status === "canceled" || c.status === "expired")) book.expect("payment_intent.canceled", id);
    // A card top-up whose capture was refused fails its intent and voids its payment.
    if (!session && c.top_up && c.status === "failed") {
      book.expect("payment_intent.payment_failed", `${id} ${c.attempts_remaining}`);
      book.expect("payment.voided", c.payment_id);
    }
    // Every counted decline, by the attempts it left (the last of five fails the intent).
    if (!session)
      for (let left = MAX_ATTEMPTS - 1; left >= c.attempts_remaining; left--) book.expect("payment_intent.payment_failed", `${id} ${left}`);
  }
}

/** Waits (bounded) until no book's index total and no receiver's log has moved for SETTLED_MS. */
async function settle(api, books, receivers) {
  const started = performance.now();
  let last = "";
  let since = performance.now();
  while (performance.now() - started < SETTLE_LIMIT_MS) {
    const totals = await Promise.all(
      books.map(
        async (b) =>
          (await api.definite("GET", "/api/v1/events?per_page=1", undefined, { authorization: `Bearer ${b.secret_key}` })).body?.data
            ?.pagination?.total,
      ),
    );
    const now = JSON.stringify([totals, receivers.map((r) => r.receiver.log.length)]);
    if (now !== last) (last = now), (since = performance.now());
    else if (performance.now() - since >= SETTLED_MS) break;
    await sleep(1_000);
  }
  return (performance.now() - started) / 1000;
}

/**
 * The live half, while the runtime is up: checkouts' final states, then a bounded wait for the
 * queues to drain, then every book's events as the merchant lists them.
 * @param {ReturnType<typeof import("./client.mjs").client>} api @param {EffectBook[]} books
 * @param {{ name: string, receiver: { log: { webhook_id: string, event: any, refused: number | null }[] }, book?: EffectBook }[]} receivers
 *   `book`: the receiver gets every event of that book's merchant
 */
export async function eventsLive(api, books, receivers) {
  for (const book of books) await fromFinalStates(api, book);
  const waited_s = await settle(api, books, receivers);
  const lists = [];
  for (const book of books) lists.push({ book, ...(await listed(api, book)) });
  return { lists, receivers, waited_s };
}

/** Every *.sqlite under a directory. @param {string} dir */
function* sqliteFiles(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) yield* sqliteFiles(full);
    else if (full.endsWith(".sqlite")) yield full;
  }
}

/**
 * The events as stored, read from the persisted state after the runtime stopped (a copy of each
 * file with its WAL): every object's outbox (the `events` table with `forwarded_at_ms`, one in each
 * wallet and payment object) and the D1 events index (the `events` table with `fanned_out_at_ms`).
 * @param {string} persistDir
 */
export function storedEvents(persistDir) {
  /** @type {{ file: string, id: string, type: string, payload: string, request_id: string | null, forwarded_at_ms: number | null }[]} */
  const outbox = [];
  /** @type {Map<string, { id: string, merchant_id: string, type: string, data: string, request_id: string | null }>} */
  const index = new Map();
  let objects = 0;
  const scratch = mkdtempSync(path.join(os.tmpdir(), "mazad-events-"));
  try {
    for (const file of sqliteFiles(persistDir)) {
      const copy = path.join(scratch, "db.sqlite");
      copyFileSync(file, copy);
      if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
      else rmSync(`${copy}-wal`, { force: true });
      const db = new DatabaseSync(copy);
      try {
        const columns = db
          .prepare("SELECT name FROM pragma_table_info('events')")
          .all()
          .map((c) => c.name);
        if (columns.includes("forwarded_at_ms")) {
          objects++;
          for (const row of db.prepare("SELECT id, type, payload, request_id, forwarded_at_ms FROM events").all())
            outbox.push({ file, .../** @type {any} */ (row) });
        } else if (columns.includes("fanned_out_at_ms")) {
          for (const row of /** @type {any[]} */ (db.prepare("SELECT id, merchant_id, type, data, request_id FROM events").all()))
            index.set(row.id, row);
        }
      } finally {
        db.close();
        rmSync(copy, { force: true });
        rmSync(`${copy}-wal`, { force: true });
        rmSync(`${copy}-shm`, { force: true });
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { outbox, index, objects };
}

/** What one receiver's log says about webhook-ids. @param {{ webhook_id: string, event: any, refused: number | null }[]} log */
function receiverFigures(log) {
  /** @type {Map<string, Set<string>>} webhook-id → the distinct events (bodies) delivered under it */
  const bodies = new Map();
  /** @type {Map<string, Set<string>>} effect → the webhook-ids it arrived under */
  const ids = new Map();
  let not_the_event_id = 0;
  for (const { webhook_id, event } of log) {
    if (webhook_id !== event.id) not_the_event_id++;
    const body = JSON.stringify(event);
    bodies.set(webhook_id, (bodies.get(webhook_id) ?? new Set()).add(body));
    const effect = effectOf(event.type, event.data, event.request?.id ?? null);
    ids.set(effect, (ids.get(effect) ?? new Set()).add(webhook_id));
  }
  return {
    deliveries: log.length,
    webhook_ids: bodies.size,
    /** @type {Set<string>} the ids whose delivery the receiver acknowledged */
    acknowledged: new Set(log.filter((d) => d.refused === null).map((d) => d.webhook_id)),
    repeated: log.length - bodies.size, // retries: the same id, the same event
    shared: [...bodies.values()].filter((s) => s.size > 1).length, // one id, two events
    not_the_event_id,
    /** @type {[string, Set<string>][]} effects that arrived under more than one webhook-id */
    duplicated: [...ids].filter(([, s]) => s.size > 1),
  };
}

/**
 * The verdict, once the runtime is stopped: the books against the events, every event anywhere
 * against every other, every outbox against the index, every receiver's webhook-ids.
 * @param {Awaited<ReturnType<typeof eventsLive>>} live @param {ReturnType<typeof storedEvents>} stored @param {number[]} killed_at_ms
 */
export function eventsVerdict(live, stored, killed_at_ms) {
  const details = /** @type {string[]} */ ([]);
  const note = (line) => details.length < 30 && details.push(line);

  // Every event there is, by id: the index (every merchant), the outboxes, and the books' lists.
  /** @type {Map<string, { effect: string, type: string }>} */
  const all = new Map();
  const add = (id, type, data, request_id) => all.set(id, { effect: effectOf(type, data, request_id), type });
  for (const r of stored.index.values()) add(r.id, r.type, JSON.parse(r.data), r.request_id);
  for (const r of stored.outbox) add(r.id, r.type, JSON.parse(r.payload), r.request_id);
  for (const { events } of live.lists) for (const e of events.values()) add(e.id, e.type, e.data, e.request?.id ?? null);
  /** @type {Map<string, { id: string, type: string }[]>} */
  const byEffect = new Map();
  for (const [id, { effect, type }] of all) byEffect.set(effect, [...(byEffect.get(effect) ?? []), { id, type }]);

  // No two events share an effect, in any merchant's objects or index.
  let duplicates = 0;
  for (const [effect, events] of byEffect) {
    if (events.length < 2) continue;
    duplicates += events.length - 1;
    note(`${events.length} events for one effect (${effect}): ${events.map((e) => e.id).join(", ")}`);
  }

  // Each book's effects against its merchant's events.
  let effects = 0;
  let missing = 0;
  let recorded = 0;
  let wrong_type = 0;
  let unexpected = 0;
  let listed = 0;
  for (const { book, events } of live.lists) {
    effects += book.expected.size;
    listed += events.size;
    for (const [effect, type] of book.expected) {
      const found = byEffect.get(effect) ?? [];
      if (found.length > 0) recorded++;
      if (found.length === 0) missing++, note(`${book.name}: no event for ${effect}`);
      else if (found.some((e) => e.type !== type))
        wrong_type++, note(`${book.name}: ${effect} has ${found.map((e) => e.type).join(", ")}, expected ${type}`);
    }
    for (const e of events.values()) {
      const effect = effectOf(e.type, e.data, e.request?.id ?? null);
      if (!book.expected.has(effect)) unexpected++, note(`${book.name}: ${e.type} ${e.id} (${effect}) has no effect in the model`);
    }
  }

  // Nothing stays in an outbox: forwarded, and then in the index.
  const atKill = (ms) => killed_at_ms.some((k) => ms <= k && k - ms <= IN_QUEUE_MS);
  let unforwarded = 0;
  let lost_at_kill = 0;
  let indexed_away_from_kills = 0; // what the index check had to go on: forwarded with no kill near
  for (const r of stored.outbox) {
    if (stored.index.has(r.id)) {
      if (r.forwarded_at_ms !== null && !atKill(r.forwarded_at_ms)) indexed_away_from_kills++;
      continue;
    }
    if (r.forwarded_at_ms === null) unforwarded++, note(`${r.type} ${r.id} never forwarded (${path.basename(r.file)})`);
    else if (atKill(r.forwarded_at_ms)) lost_at_kill++;
    else unforwarded++, note(`${r.type} ${r.id} forwarded at ${new Date(r.forwarded_at_ms).toISOString()}, not in the index, no kill near`);
  }

  // One webhook-id is one event, at every receiver; one effect is one webhook-id.
  const receivers = live.receivers.map(({ name, receiver, book }) => {
    const f = receiverFigures(receiver.log);
    // A receiver of every event of a book's merchant: which listed events never arrived. Not a
    // violation here (a delivery message Miniflare's queue held at a kill is lost with it; the
    // webhooks part proves delivery without kills), but a figure to watch.
    const events = live.lists.find((l) => l.book === book)?.events;
    const undelivered = events ? [...events.keys()].filter((id) => !f.acknowledged.has(id)).length : null;
    for (const [effect, ids] of f.duplicated) note(`${name}: ${effect} arrived under ${ids.size} webhook-ids: ${[...ids].join(", ")}`);
    if (f.shared) note(`${name}: ${f.shared} webhook-ids carried two different events`);
    if (f.not_the_event_id) note(`${name}: ${f.not_the_event_id} deliveries whose webhook-id is not their event's id`);
    return {
      name,
      deliveries: f.deliveries,
      webhook_ids: f.webhook_ids,
      repeated: f.repeated,
      shared: f.shared,
      not_the_event_id: f.not_the_event_id,
      duplicated: f.duplicated.length,
      undelivered,
    };
  });
  const shared = receivers.reduce((n, r) => n + r.shared + r.not_the_event_id, 0);
  const receiver_duplicates = receivers.reduce((n, r) => n + r.duplicated, 0);

  return {
    books: live.lists.map(({ book, events, total }) => ({ name: book.name, effects: book.expected.size, listed: events.size, total })),
    effects,
    recorded,
    events: listed,
    all_events: all.size,
    objects: stored.objects,
    outbox_rows: stored.outbox.length,
    indexed: stored.index.size,
    duplicates,
    delivered_under_two_ids: receiver_duplicates,
    missing,
    wrong_type,
    unexpected,
    unforwarded,
    lost_at_kill,
    indexed_away_from_kills,
    receivers,
    deliveries: receivers.reduce((n, r) => n + r.deliveries, 0),
    shared_webhook_ids: shared,
    waited_s: Number(live.waited_s.toFixed(1)),
    violations: duplicates + receiver_duplicates + missing + wrong_type + unexpected + unforwarded + shared,
    details,
  };
}
