#!/usr/bin/env node
// `npm run test:reliability [-- --ci]`: tenancy, idempotency storms (also across a crash), the
// fuzz from /openapi.json, webhooks under failure, crashes under money traffic, one event per
// effect of all that traffic, and the card-data scan, end to end against the real runtime (the
// deploy bundle in workerd via Miniflare, persisted on disk). Each part prints one line of figures;
// all of them go to bench/results/reliability.json; any violation makes the exit code non-zero.
// --ci: 10 kills instead of 50.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { apiClient, seedMerchant } from "../../bench/seed.mjs";
import { disposeAll } from "../../bench/server.mjs";
import { client } from "./client.mjs";
import { scanForCardData } from "../browser/card-data-scan.ts";
import { crashPart, TYPED_CVVS } from "./crash.mjs";
import { effectBook, eventsLive, eventsReceiver, eventsVerdict, storedEvents } from "./events.mjs";
import { fuzzPart } from "./fuzz.mjs";
import { persistentRuntime } from "./runtime.mjs";
import { stormPart } from "./storm.mjs";
import { tenancyPart } from "./tenancy.mjs";
import { webhooksPart } from "./webhooks.mjs";

const { values: flags } = parseArgs({
  options: { ci: { type: "boolean", default: false }, kills: { type: "string" }, only: { type: "string" } },
});
/**
 * `--only tenancy,storm,fuzz,webhooks,crash,events` runs just those parts (crash includes the
 * card-data scan; events checks the traffic of storm, webhooks and crash that ran with it).
 */
const wanted = (part) => !flags.only || flags.only.split(",").includes(part);
const kills = Number(flags.kills ?? (flags.ci ? 10 : 50));
const RESULTS = path.resolve(import.meta.dirname, "../../bench/results/reliability.json");
const dir = mkdtempSync(path.join(os.tmpdir(), "mazad-reliability-"));
const t0 = performance.now();
const seconds = () => ((performance.now() - t0) / 1000).toFixed(1);

async function main() {
  const runtime = await persistentRuntime({ dir });
  const seeding = apiClient(runtime.url);
  const merchant = await seedMerchant(seeding, "reliability");
  await seeding.close();
  const results = { started_at: new Date().toISOString(), mode: flags.ci ? "ci" : "full", parts: /** @type {Record<string, any>} */ ({}) };
  let violations = 0;
  // The events part's model of the main merchant (storm and crash note every effect in it), and a
  // receiver of all its events, in place before any traffic.
  const effects = effectBook("storm and crash", merchant.secret_key);
  const books = [effects];
  /** @type {Parameters<typeof eventsLive>[2]} */
  const receivers = [];
  const everyEvent = wanted("events") ? await eventsReceiver(client(runtime), merchant) : null;
  if (everyEvent) receivers.push({ name: "every event of storm and crash", receiver: everyEvent, book: effects });

  if (wanted("tenancy")) {
    const tenancy = await tenancyPart(client(runtime), runtime.url);
    results.parts.tenancy = tenancy;
    violations += tenancy.violations;
    console.log(
      `tenancy: ${tenancy.credentials} wrong credentials (${tenancy.signed_credentials} of them HMAC-signed) ` +
        `× ${tenancy.routes} routes over ${tenancy.kinds} object kinds, ${tenancy.calls} calls (${tenancy.signed_calls} signed): ` +
        `${tenancy.violations} violations (wrong status, a leak, or a change), ${tenancy.objects_changed} objects changed (${seconds()} s)`,
    );
    for (const line of tenancy.details) console.log(`  ${line}`);
  }

  if (wanted("storm")) {
    const storm = await stormPart(client(runtime), runtime, merchant, { effects });
    results.parts.storm = storm;
    violations += storm.violations;
    const steady = storm.per_route.filter((r) => r.leg === "steady");
    const crashed = storm.per_route.filter((r) => r.leg !== "steady");
    const sound = (rows) => rows.filter((r) => r.distinct_answers === 1 && !r.effect_problem).length;
    console.log(
      `storm: ${storm.routes} routes × ${steady[0]?.requests ?? 0} requests with one key, ` +
        `and again × ${crashed[0]?.requests ?? 0} across a SIGKILL ` +
        `(${crashed.reduce((n, r) => n + r.resent_after_no_answer, 0)} requests left unanswered, sent again), ` +
        `${storm.requests.toLocaleString("en")} in all: ` +
        `${sound(steady)}/${steady.length} and ${sound(crashed)}/${crashed.length} one effect and one byte-identical answer, ` +
        `${storm.per_route.reduce((n, r) => n + r.reuse_refused, 0)}/${storm.per_route.reduce((n, r) => n + r.reuse_tries, 0)} ` +
        `reuses refused 422, ` +
        `${storm.per_route.filter((r) => r.refused_after_25h).length}/${storm.storms} still refused after 25 h; ` +
        `${storm.violations} violations (${seconds()} s)`,
    );
    for (const r of storm.per_route)
      if (r.effect_problem || r.distinct_answers !== 1)
        console.log(`  ${r.route} (${r.leg}): ${r.effect_problem ?? `${r.distinct_answers} distinct answers`}`);
  }

  if (wanted("fuzz")) {
    const fuzz = await fuzzPart(client(runtime), runtime.url);
    const { valid: _answers, ...figures } = fuzz; // (what each valid request got: for debugging, not the record)
    results.parts.fuzz = figures;
    violations += fuzz.violations;
    const by = (test) =>
      Object.entries(fuzz.statuses)
        .filter(([s]) => test(Number(s)))
        .reduce((n, [, c]) => n + c, 0);
    console.log(
      `fuzz (seed ${fuzz.seed}): ${fuzz.operations} operations, ${fuzz.requests.toLocaleString("en")} generated requests ` +
        `(${by((s) => s < 300).toLocaleString("en")} × 2xx, ${by((s) => s >= 400 && s < 500).toLocaleString("en")} × 4xx; ` +
        `${fuzz.valid_2xx}/${fuzz.valid_requests} valid ones 2xx, the rest refused by the object's state or a rate limit; ` +
        `${fuzz.signed.requests.toLocaleString("en")} of them the secret-key ones sent again HMAC-signed, ` +
        `${fuzz.signed.agreed.toLocaleString("en")}/${fuzz.signed.compared.toLocaleString("en")} compared answered alike ` +
        `(the same status; after a repeatable effect, a 2xx for a 2xx), ` +
        `${fuzz.signed.not_compared} not comparable after an effect or a 409/429): ` +
        `${fuzz.server_errors} × 5xx, ${fuzz.violations} violations (a 5xx, an undeclared status, a body off its schema, ` +
        `a signed answer unlike the secret-key one, money not adding up) (${seconds()} s)`,
    );
    for (const line of fuzz.details) console.log(`  ${line}`);
  }

  if (wanted("webhooks")) {
    // Its own merchant: the events of the other parts' holds were never meant for its endpoint.
    const seeding = apiClient(runtime.url);
    const hooksMerchant = await seedMerchant(seeding, "reliability-webhooks");
    await seeding.close();
    const hooksEffects = effectBook("webhooks", hooksMerchant.secret_key);
    books.push(hooksEffects);
    const { log, ...hooks } = await webhooksPart(client(runtime), hooksMerchant, hooksEffects);
    receivers.push({ name: "the webhooks part's flaky receiver", receiver: { log } });
    results.parts.webhooks = hooks;
    violations += hooks.violations;
    console.log(
      `webhooks: ${hooks.events} events to a receiver failing half its requests at random plus a 3 s outage ` +
        `(${hooks.receiver.requests} requests: ${hooks.receiver.failed_on_purpose} × 500, ${hooks.receiver.outage_503} × 503): ` +
        `${hooks.delivered} delivered and verified, ${hooks.dead_lettered} dead-lettered, ` +
        `${hooks.unsettled} neither, ${hooks.receiver.invalid} bad signatures (${seconds()} s)`,
    );
  }

  /** @type {Awaited<ReturnType<typeof crashPart>> | null} */
  let crash = null;
  if (wanted("crash")) {
    crash = await crashPart(runtime, { kills, merchant, effects });
    results.parts.crash = crash;
    const crashViolations =
      crash.lost +
      crash.doubled +
      crash.wrong_state +
      crash.wallet_mismatches +
      crash.chains_broken +
      crash.outbox_pending +
      (crash.audit_balanced ? 0 : 1) +
      (crash.holds_consistent ? 0 : 1);
    violations += crashViolations;
    console.log(
      `crash: ${crash.kills} kills, ${crash.acknowledged.toLocaleString("en")} acknowledged (${crash.lost_answers_retried} needed a ` +
        `retry with their key: ${crash.server_errors_seen} × 5xx, ${crash.busy_answers_seen} × 409/429 along the way), ` +
        `${crash.holds} holds, ${crash.transfers} transfers, ${crash.payments} payments, ${crash.payouts} payouts: ` +
        `${crash.lost} lost, ${crash.doubled} doubled, ${crash.wrong_state} in a wrong state, ` +
        `${crash.chains_broken} chains broken, outbox ${crash.outbox_pending} pending, ` +
        `audit ${crash.audit_balanced ? "balanced" : "NOT BALANCED"} (${seconds()} s)`,
    );
    for (const line of crash.details) console.log(`  ${line}`);
  }

  // The events of all that traffic: the live half while the runtime is up, then each object's
  // outbox and the index as stored.
  const live = wanted("events") ? await eventsLive(client(runtime), books, receivers) : null;
  await runtime.stop();
  await everyEvent?.close();
  if (live) {
    const events = eventsVerdict(live, storedEvents(runtime.persistDir), runtime.killed_at_ms);
    results.parts.events = events;
    violations += events.violations;
    console.log(
      `events: ${events.effects.toLocaleString("en")} effects ` +
        `(${events.books.map((b) => `${b.name} ${b.effects.toLocaleString("en")}`).join(", ")}) ` +
        `with ${events.recorded.toLocaleString("en")} events, ` +
        `${events.events.toLocaleString("en")} of them listed by GET /events (${events.all_events.toLocaleString("en")} events of every ` +
        `merchant in ${events.objects.toLocaleString("en")} objects' outboxes and the D1 index): ` +
        `${events.duplicates} duplicates, ${events.missing} missing, ${events.wrong_type} of a wrong type, ` +
        `${events.unexpected} without an effect, ${events.unforwarded} unforwarded ` +
        `(${events.lost_at_kill} forwarded in the 10 s before a SIGKILL were lost with Miniflare's in-memory queue, not counted; ` +
        `${events.indexed_away_from_kills.toLocaleString("en")} forwarded away from any kill and indexed); ` +
        `${events.deliveries.toLocaleString("en")} deliveries to ${events.receivers.length} receivers ` +
        `(${events.receivers.reduce((n, r) => n + r.repeated, 0)} repeats of a webhook-id): ` +
        `${events.shared_webhook_ids} webhook-ids shared by two events, ${events.delivered_under_two_ids} effects under two webhook-ids; ` +
        `${events.violations} violations (${seconds()} s)`,
    );
    for (const line of events.details) console.log(`  ${line}`);
  }

  if (crash) {
    // Card data: the crash traffic paid intents with typed card numbers and CVVs.
    const scan = scanForCardData({ dirs: [runtime.persistDir], logFiles: [runtime.logFile], cvvs: TYPED_CVVS });
    const cards = {
      files: scan.files.length,
      sqlite_tables: scan.sqliteTables.length,
      card_payments: crash.card_payments,
      findings: scan.findings.slice(0, 20),
      violations: scan.findings.length,
    };
    results.parts.card_data = cards;
    violations += cards.violations;
    console.log(
      `card data: ${cards.card_payments} card payments; ${cards.files} files and ${cards.sqlite_tables} SQLite tables scanned (D1, ` +
        `every object's database, the worker log): ${cards.violations} card numbers or CVVs found (${seconds()} s)`,
    );
    for (const f of cards.findings) console.log(`  ${f.where}: ${f.what}`);
  }

  results.violations = violations;
  results.wall_s = Number(seconds());
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, JSON.stringify(results, null, 2) + "\n");
  return violations;
}

let code = 1;
try {
  code = (await main()) === 0 ? 0 : 1;
} catch (error) {
  console.error(error);
} finally {
  await disposeAll();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
