// Fuzz from the document: every operation in /openapi.json, called with inputs generated from its
// own schemas — a valid request, then each field missing, of the wrong type, empty, huge, in bad
// unicode, out of range (negative, float, overflowing amounts); unknown fields; malformed JSON,
// wrong content types, oversized bodies; bad query and path parameters and headers. Every request
// sent with the merchant's secret key is sent again HMAC-signed with the merchant's signing key (a
// fresh nonce and Idempotency-Key each). Every answer, signed or not, must be a 4xx or 2xx the
// operation declares, with a body valid against the declared schema; the signed one must get the
// secret-key one's status (see `comparison`); and afterwards the money still adds up (audit
// balanced, every chain verifies).
import { randomUUID } from "node:crypto";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { apiClient } from "../../bench/seed.mjs";
import { chainProblems, signatureHeaders } from "./client.mjs";
import { merchantWithKeys, objectsOf, UNREACHABLE_RECEIVER } from "./fixtures.mjs";

const AT_ONCE = 4;
const HUGE = "x".repeat(100_000);
/** Strings that break naive code: a lone surrogate, NUL, bidi override, emoji, a SQL quote, a script tag. */
const NASTY_STRINGS = [
  "",
  " ",
  HUGE,
  "\ud800",
  "a\u0000b",
  "\u202egnp.exe",
  "💸".repeat(300),
  "' OR 1=1 --",
  "<script>alert(1)</script>",
  "../../etc/passwd",
];
/** Numbers past every edge: negative, zero, fractions, past 2^53, past int64, past double. */
const NASTY_NUMBERS = ["-1", "0", "-0", "0.5", "1.0000001", "9007199254740993", "9223372036854775808", "1e308", "1e400", "-1e400"];
const WRONG_TYPES = ["null", "true", "[]", "{}", '"1"', "1", '[{"a":1}]'];
const BAD_BODIES = [
  ["malformed JSON", "application/json", "{"],
  ["trailing comma", "application/json", '{"a":1,}'],
  ["JSON null", "application/json", "null"],
  ["JSON array", "application/json", "[]"],
  ["JSON string", "application/json", '"hello"'],
  ["JSON number", "application/json", "42"],
  ["empty body", "application/json", ""],
  ["deep nesting", "application/json", "[".repeat(100_000) + "]".repeat(100_000)],
  // Past the 64 KiB limit; far past it, workerd answers 413 before the body is read and a client still writing sees EPIPE.
  ["160 KB body", "application/json", JSON.stringify({ pad: "x".repeat(160_000) })],
  ["invalid UTF-8", "application/json", Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
  ["text/plain", "text/plain", "hello"],
  ["form-encoded", "application/x-www-form-urlencoded", "amount=1&currency=IQD"],
  ["multipart", "multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--'],
  ["no content type", null, "{}"],
  ["utf-16 JSON", "application/json; charset=utf-16", "{}"],
];
const BAD_PATH_SEGMENTS = ["x".repeat(1_000), "%00", "%F0%9F%92%B8", "%2E%2E", "a%2Fb", "%ED%A0%80", "'", "%20"];

const RANDOM_BODIES_PER_OPERATION = 40;

/** A seeded generator (mulberry32): a failing run is repeated with FUZZ_SEED=<seed>. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resolves `#/components/schemas/X` against the document. */
const resolver = (doc) => (schema) => {
  let s = schema;
  while (s?.$ref) s = doc.components.schemas[s.$ref.split("/").pop()];
  return s ?? {};
};

/** A valid value for a schema, preferring the fixtures for fields that name an object. */
function sampler(doc, fixtures) {
  const resolve = resolver(doc);
  const named = {
    user_id: fixtures.user,
    external_user_id: fixtures.user,
    from_user_id: fixtures.user,
    to_user_id: fixtures.other,
    external_id: `fuzz_${randomUUID().slice(0, 8)}`,
    client_secret: fixtures.open_session_secret,
    email: fixtures.teammate_email,
    url: UNREACHABLE_RECEIVER,
    success_url: "https://shop.example/ok",
    cancel_url: "https://shop.example/no",
    number: "4242424242424242",
    cvc: "123",
    otp: "123456",
    password: "Fuzz-Pass-2026!",
    advance_seconds: 60,
  };
  const sample = (raw, name) => {
    const schema = resolve(raw);
    if (name && name in named) return named[name];
    if ("const" in schema) return schema.const;
    if (schema.enum) return schema.enum[0];
    for (const key of ["oneOf", "anyOf"]) if (schema[key]) return sample(schema[key][0], name);
    switch (Array.isArray(schema.type) ? schema.type[0] : schema.type) {
      case "object": {
        const out = {};
        for (const [prop, sub] of Object.entries(schema.properties ?? {}))
          if ((schema.required ?? []).includes(prop)) out[prop] = sample(sub, prop);
        return out;
      }
      case "array":
        return schema.minItems ? [sample(schema.items, name)] : [];
      case "integer":
      case "number":
        return Math.max(schema.minimum ?? 1, Math.min(schema.maximum ?? 100, 100));
      case "boolean":
        return true;
      case "string":
        if (schema.format === "date-time") return new Date(Date.now() + 86_400_000).toISOString().slice(0, 19) + "Z";
        if (schema.format === "email") return "fuzz@example.com";
        if (schema.format === "uri" || schema.format === "url") return "https://example.com/x";
        if (schema.format === "uuid") return randomUUID();
        return "fuzz".padEnd(schema.minLength ?? 1, "z");
      default:
        return "fuzz";
    }
  };
  return { sample, resolve };
}

/** Every field of a body schema as a path of property names, to one level of nesting. */
function fieldPaths(resolve, schema, prefix = []) {
  const s = resolve(schema);
  const variant = s.oneOf ? resolve(s.oneOf[0]) : s;
  return Object.entries(variant.properties ?? {}).flatMap(([prop, sub]) => {
    const here = [...prefix, prop];
    const inner = resolve(sub);
    return inner.type === "object" && inner.properties && prefix.length === 0 ? [here, ...fieldPaths(resolve, inner, here)] : [here];
  });
}

/** The body as JSON text with `raw` (JSON text, possibly beyond what JS numbers keep) at `path`, or the field removed. */
const withField = (body, path, raw) => withFields(body, [[path, raw]]);

/** The body as JSON text with each edit applied: [path, raw JSON text or undefined to remove]. */
function withFields(body, edits) {
  const copy = structuredClone(body);
  const marks = [];
  for (const [path, raw] of edits) {
    let at = copy;
    for (const key of path.slice(0, -1)) at = typeof at[key] === "object" && at[key] !== null ? at[key] : (at[key] = {});
    const last = path.at(-1);
    if (raw === undefined) delete at[last];
    else {
      const mark = `__fuzz_${randomUUID()}__`;
      at[last] = mark;
      marks.push([mark, raw]);
    }
  }
  let text = JSON.stringify(copy);
  for (const [mark, raw] of marks) text = text.replace(`"${mark}"`, () => raw);
  return text;
}

/** The concrete path for a templated one: the fixtures where it names an object. */
function fill(path, fixtures, override) {
  return path.replace(/\{(\w+)\}/g, (_m, name) => {
    if (override !== undefined) return override;
    if (name === "key_id") return fixtures.spare_key;
    if (name === "account_id") return fixtures.teammate;
    if (path.startsWith("/api/v1/merchants/")) return fixtures.merchant;
    const table = [
      ["/embedded/users/", fixtures.user],
      ["/holds/", fixtures.hold],
      ["/transfers/", fixtures.transfer],
      ["/checkout/sessions/", fixtures.open_session],
      ["/payment-intents/", fixtures.intent],
      ["payments/", fixtures.payment],
      ["/webhook-endpoints/", fixtures.endpoint],
      ["/events/", fixtures.event],
      ["/checkout/", fixtures.open_session],
    ];
    return table.find(([prefix]) => path.includes(prefix))?.[1] ?? "fuzz";
  });
}

/**
 * Operations that end an object's life get one of their own, so that their valid request acts on an
 * object it can act on (a hold not yet released, a session still open) and the fuzz reaches past
 * the state checks. The paths are the document's.
 */
function freshMaker(api, owner, fixtures) {
  const auth = { authorization: `Bearer ${owner.secret_key}` };
  const post = async (path, body) => (await api.definite("POST", path, body, { ...auth, "idempotency-key": randomUUID() })).body.data;
  const checkout = {
    external_user_id: fixtures.user,
    amount: 2_000,
    currency: "IQD",
    success_url: "https://shop.example/ok",
    cancel_url: "https://shop.example/no",
  };
  const session = async () => {
    const s = await post("/api/v1/checkout/sessions", checkout);
    return { open_session: s.id, open_session_secret: s.client_secret };
  };
  const payment = async (captured) => {
    const { open_session, open_session_secret } = await session();
    await api.definite("POST", `/checkout/${open_session}/pay`, { client_secret: open_session_secret, method: "wallet", otp: "123456" });
    const id = open_session.replace(/^cs_test_/, "pay_test_");
    if (captured) await post(`/api/v1/payments/${id}/capture`, { amount: 2_000 });
    return { payment: id };
  };
  /** @type {Record<string, () => Promise<Record<string, string>>>} */
  const makers = {
    "post /api/v1/embedded/holds/{id}/release": async () => ({
      hold: (await post("/api/v1/embedded/holds", { user_id: fixtures.user, amount: 50, currency: "IQD" })).id,
    }),
    "post /api/v1/checkout/sessions/{id}/expire": session,
    "post /checkout/{id}/pay": session,
    "post /checkout/{id}/cancel": session,
    "post /api/v1/payment-intents/{id}/cancel": async () => ({
      intent: (
        await post("/api/v1/payment-intents", {
          amount: 500,
          currency: "IQD",
          success_url: "https://shop.example/ok",
          cancel_url: "https://shop.example/no",
        })
      ).id,
    }),
    "post /api/v1/payments/{id}/capture": () => payment(false),
    "post /api/v1/payments/{id}/void": () => payment(false),
    "post /api/v1/payments/{id}/refund": () => payment(true),
    "post /api/v1/gateway/payments/{id}/refund": () => payment(true),
    // One of the endpoints the fuzz made (a merchant has at most 16: by now there is no room for more).
    "delete /api/v1/webhook-endpoints/{id}": async () => {
      const listed = (await api.definite("GET", "/api/v1/webhook-endpoints", undefined, auth)).body.data.webhook_endpoints
        .map((e) => e.id)
        .filter((id) => id !== fixtures.endpoint && !spent.has(id));
      const endpoint = listed[0] ?? (await post("/api/v1/webhook-endpoints", { url: UNREACHABLE_RECEIVER, events: ["*"] })).id;
      spent.add(endpoint);
      return { endpoint };
    },
  };
  /** Endpoints already handed to a deletion. */
  const spent = new Set();
  makers["post /api/v1/embedded/holds/{id}/capture"] = makers["post /api/v1/embedded/holds/{id}/release"];
  const make = async ({ method, path }) => ({ ...fixtures, ...(await makers[`${method} ${path}`]?.()) });
  /** Whether the operation ends or settles the object it acts on: a second request is answered differently. */
  make.ending = ({ method, path }) => `${method} ${path}` in makers;
  /** Whether it creates something a merchant may have only so many of: a create can take the last slot. */
  make.bounded = ({ method, path }) => BOUNDED.has(`${method} ${path}`);
  return make;
}

/** Creations with a cap per merchant and mode (16 webhook endpoints). */
const BOUNDED = new Set(["post /api/v1/webhook-endpoints"]);

/**
 * Whether the signed twin must get the secret-key answer's status ("same"), its class ("class"), or
 * cannot be compared (null). Not when either was told to try again (409 still running, 429 rate
 * limit: timing). A refusal changed nothing, so the same request signed gets the same refusal; a
 * read likewise. After a 2xx that ended or settled its object (a capture, a void, a delete) the
 * second request is rightly refused: only the valid request is compared there, its twin acting on a
 * fresh object of its own. After a 2xx that created or changed something repeatably the twin must
 * be a 2xx too, but not the same one (a user's first sync is 201, the next 200); where creations
 * are capped, only the valid request's (the operation's first, with room left).
 * @param {{ method: string }} operation
 * @param {{ ending: boolean, bounded: boolean }} kind
 * @param {string} label
 * @param {number} secret
 * @param {number} signed
 * @returns {"same" | "class" | null}
 */
function comparison(operation, { ending, bounded }, label, secret, signed) {
  if ([409, 429].includes(secret) || [409, 429].includes(signed)) return null;
  if (operation.method === "get" || secret >= 300) return "same";
  if (ending) return label === "valid" ? "same" : null;
  if (bounded) return label === "valid" ? "class" : null;
  return "class";
}

/** The document's operations, those that end things last: the clock (it expires what is open), then deletions. */
function inOrder(doc) {
  const rank = ({ method, path }) => (method === "delete" ? 2 : path === "/api/v1/sandbox/clock" ? 1 : 0);
  return Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })))
    .sort((a, b) => rank(a) - rank(b));
}

/**
 * The cases for one operation: [label, path, headers, body (text or bytes or undefined)]. Every
 * case carries the operation's credentials and a fresh Idempotency-Key unless it is about them.
 */
function casesFor(doc, fixtures, { path, method, op }, random) {
  // Registration needs an address nobody has; adding a member needs one that has an account.
  const email = path === "/api/v1/auth/register" ? `fuzz-${randomUUID().slice(0, 8)}@example.com` : fixtures.teammate_email;
  const { sample, resolve } = sampler(doc, { ...fixtures, teammate_email: email });
  const schemes = (op.security ?? []).flatMap((r) => Object.keys(r));
  const bodySchema = op.requestBody?.content?.["application/json"]?.schema;
  const base = bodySchema ? sample(bodySchema) : undefined;
  const required = (op.parameters ?? []).filter((p) => p.in === "query" && p.required);
  const query = (params) => params.map(([name, value]) => `${name}=${value}`).join("&");
  const requiredQuery = (except) =>
    required.filter((p) => p !== except).map((p) => [p.name, encodeURIComponent(String(sample(p.schema, p.name)))]);
  const bare = fill(path, fixtures);
  const target = required.length ? `${bare}?${query(requiredQuery())}` : bare;
  const o = {
    path,
    method,
    op,
    schemes,
    sample,
    resolve,
    bodySchema,
    base,
    bare,
    target,
    random,
    fixtures,
    query,
    requiredQuery,
    baseText: base === undefined ? undefined : JSON.stringify(base),
    /** Content-Type for the operation's own body, if it takes one. */
    json: base === undefined ? {} : { "content-type": "application/json" },
    auth: schemes.includes("SecretKey")
      ? { authorization: `Bearer ${fixtures.secret_key}` }
      : schemes.includes("DashboardToken")
        ? { authorization: `Bearer ${fixtures.access_token}` }
        : {},
    keyed: () => ((op.parameters ?? []).some((p) => p.name === "Idempotency-Key") ? { "idempotency-key": randomUUID() } : {}),
  };
  /** @type {[string, string, Record<string, string>, string | Buffer | undefined][]} */
  const cases = [];
  const add = (label, url, headers, body) => cases.push([label, url, { ...o.auth, ...o.keyed(), ...headers }, body]);
  add("valid", target, o.json, o.baseText);
  bodyCases(o, add);
  queryCases(o, add);
  if (path.includes("{"))
    for (const segment of BAD_PATH_SEGMENTS) add(`path id ${segment.slice(0, 20)}`, fill(path, fixtures, segment), o.json, o.baseText);
  credentialCases(o, add, (...c) => cases.push(c));
  return cases;
}

/** Each field broken alone, several at once (seeded), unknown fields, and bodies that are not the JSON asked for. */
function bodyCases(o, add) {
  const json = { "content-type": "application/json" };
  if (!o.bodySchema) {
    if (o.method !== "get" && o.method !== "delete") add("unexpected body", o.target, json, '{"zz_unknown":1}');
    return;
  }
  const fields = fieldPaths(o.resolve, o.bodySchema);
  for (const field of fields) {
    const name = field.join(".");
    add(`${name} missing`, o.target, json, withField(o.base, field, undefined));
    for (const raw of WRONG_TYPES) add(`${name} = ${raw}`, o.target, json, withField(o.base, field, raw));
    for (const s of NASTY_STRINGS)
      add(
        `${name} = ${JSON.stringify(s.slice(0, 12))}${s.length > 12 ? `… (${s.length})` : ""}`,
        o.target,
        json,
        withField(o.base, field, JSON.stringify(s)),
      );
    for (const n of NASTY_NUMBERS) add(`${name} = ${n}`, o.target, json, withField(o.base, field, n));
  }
  // Several fields broken at once, and valid values mixed in (other enum members, other variants).
  const schemaAt = (field) =>
    o.resolve(
      field.reduce(
        (at, key) =>
          o.resolve(at).properties?.[key] ??
          o
            .resolve(at)
            .oneOf?.map(o.resolve)
            .find((v) => v.properties?.[key])?.properties?.[key] ??
          {},
        o.bodySchema,
      ),
    );
  const choicesFor = (field) => {
    const schema = schemaAt(field);
    const valid = [...(schema.enum ?? []), ...(schema.oneOf ?? []).map((v) => o.sample(v))].map((v) => JSON.stringify(v));
    return [
      undefined,
      ...WRONG_TYPES,
      ...NASTY_STRINGS.map((x) => JSON.stringify(x)),
      ...NASTY_NUMBERS,
      ...valid,
      JSON.stringify(o.sample(schema, field.at(-1))),
    ];
  };
  for (let i = 0; i < RANDOM_BODIES_PER_OPERATION; i++) {
    const edits = fields
      .filter(() => o.random() < 0.35)
      .map((field) => {
        const choices = choicesFor(field);
        return [field, choices[Math.floor(o.random() * choices.length)]];
      });
    add(`random #${i} (${edits.map(([f]) => f.join(".")).join(", ") || "as sampled"})`, o.target, json, withFields(o.base, edits));
  }
  add("unknown field", o.target, json, JSON.stringify({ ...o.base, zz_unknown: 1 }));
  add("__proto__ field", o.target, json, o.baseText?.replace(/^\{/, '{"__proto__":{"admin":true},'));
  for (const [label, type, body] of BAD_BODIES) add(label, o.target, type ? { "content-type": type } : {}, body);
}

/** Each query parameter valid, then empty, out of range, malformed, huge, repeated; an unknown one. */
function queryCases(o, add) {
  for (const param of (o.op.parameters ?? []).filter((p) => p.in === "query")) {
    const good = encodeURIComponent(String(o.sample(param.schema, param.name)));
    const withValue = (value) => `${o.bare}?${o.query([...o.requiredQuery(param), [param.name, value]])}`;
    add(`?${param.name} valid`, withValue(good), {}, undefined);
    for (const bad of [
      "",
      "-1",
      "0",
      "1.5",
      "1e400",
      "99999999999999999999",
      "abc",
      "%00",
      "%ED%A0%80",
      "x".repeat(5_000),
      "2026-02-30T25:61:61Z",
    ]) {
      add(`?${param.name}=${bad.slice(0, 20)}`, withValue(bad), {}, undefined);
    }
    add(`?${param.name} twice`, `${withValue(good)}&${param.name}=${good}`, {}, undefined);
  }
  if (o.method === "get") add("unknown query parameter", `${o.target}${o.target.includes("?") ? "&" : "?"}zz_unknown=1`, {}, undefined);
}

/**
 * Credentials missing, malformed or oversized; HMAC headers that are garbage, and real signatures over
 * bad bodies; bad Idempotency-Keys.
 */
function credentialCases(o, add, push) {
  if (o.schemes.length) {
    for (const [label, value] of [
      ["no credentials", undefined],
      ["Bearer nothing", "Bearer"],
      ["Basic auth", "Basic Zm9vOmJhcg=="],
      ["a huge token", `Bearer sk_test_${"x".repeat(8_000)}`],
      ["a latin-1 token", "Bearer sk_test_\u00ff\u00fe"],
    ]) {
      push(label, o.target, { ...o.keyed(), ...o.json, ...(value === undefined ? {} : { authorization: value }) }, o.baseText);
    }
  }
  if (o.schemes.includes("HmacSignature")) {
    for (const [label, ts, sig] of [
      ["HMAC garbage timestamp", "abc", "00"],
      ["HMAC huge timestamp", "9".repeat(40), "0".repeat(64)],
      ["HMAC negative timestamp", "-1", "zz"],
    ]) {
      push(
        label,
        o.target,
        { ...o.keyed(), ...o.json, "x-api-key": "mk_test_fuzz", "x-api-timestamp": ts, "x-api-signature": sig },
        o.baseText,
      );
    }
    // (Real signatures: every case with the secret key is sent again signed, bad bodies included.)
  }
  if (o.keyed()["idempotency-key"]) {
    for (const key of ["", "k".repeat(256), "\u00ff\u00fe", " "])
      push(`Idempotency-Key ${JSON.stringify(key.slice(0, 8))}`, o.target, { ...o.auth, ...o.json, "idempotency-key": key }, o.baseText);
  }
}

/** One validator per declared response schema; `#/components/schemas/X` resolved through one shared schema. */
function responseChecker(doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: false, logger: false });
  addFormats.default(ajv);
  const rewrite = (value) => JSON.parse(JSON.stringify(value).replaceAll('"#/components/schemas/', '"components#/$defs/'));
  ajv.addSchema({ $id: "components", $defs: rewrite(doc.components.schemas) });
  const compiled = new Map();
  /** @returns {string | null} what is wrong with the answer */
  return (op, status, contentType, text) => {
    const declared = op.responses[String(status)] ?? op.responses.default;
    if (!declared) return `status ${status} not declared`;
    if (!declared.content) return null;
    const mediaType = contentType?.split(";")[0]?.trim() ?? "";
    const schema = declared.content[mediaType]?.schema;
    if (!schema) return `${status} as ${mediaType || "no content type"}, declared as ${Object.keys(declared.content).join(" or ")}`;
    if (mediaType !== "application/json") return null;
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return "body is not JSON";
    }
    const cacheKey = `${op.operationId} ${status}`;
    if (!compiled.has(cacheKey)) compiled.set(cacheKey, ajv.compile(rewrite(schema)));
    const validate = compiled.get(cacheKey);
    return validate(body) ? null : `body does not match the ${status} schema: ${ajv.errorsText(validate.errors)}`;
  };
}

/**
 * @param {ReturnType<typeof import("./client.mjs").client>} api @param {string} url the runtime's
 */
export async function fuzzPart(api, url) {
  const seeding = apiClient(url);
  const owner = await merchantWithKeys(api, seeding, "fuzz");
  const teammate = await merchantWithKeys(api, seeding, "fuzz-teammate");
  await seeding.close();
  const me = (await api.definite("GET", "/api/v1/auth/me", undefined, teammate.jwt)).body.data;
  const teammateEmail = me.account?.email ?? me.email;
  const added = await api.definite(
    "POST",
    `/api/v1/merchants/${owner.id}/members`,
    { email: teammateEmail, role: "viewer" },
    { ...owner.jwt, "idempotency-key": randomUUID() },
  );
  const objects = await objectsOf(api, owner);
  const spare = await owner.key("secret", "sandbox");
  const signing = await owner.key("signing", "sandbox");
  const fixtures = {
    ...objects,
    merchant: owner.id,
    secret_key: owner.secret_key,
    access_token: owner.jwt.authorization.slice(7),
    spare_key: spare.id,
    teammate: added.body.data.account_id,
    teammate_email: teammateEmail,
  };

  const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = seeded(seed);
  const doc = JSON.parse(await (await fetch(`${url}/openapi.json`)).text());
  const check = responseChecker(doc);
  const operations = inOrder(doc);
  const fixturesFor = freshMaker(api, owner, fixtures);
  const violations = [];
  /** @type {Record<string, number>} */
  const statuses = {};
  let requests = 0;
  /** @type {string[]} what the one valid request of each operation got: most should be a 2xx */
  const valid = [];
  const signed = { requests: 0, compared: 0, agreed: 0, not_compared: 0, mismatched: 0 };
  const secretAuth = `Bearer ${owner.secret_key}`;

  /** One request: its answer checked against the declared statuses and schemas; null when there was none. */
  const send = async (operation, where, target, headers, body) => {
    requests++;
    let res;
    try {
      res = await fetch(url + target, { method: operation.method.toUpperCase(), headers, body, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      violations.push(`${where}: no answer (${error.cause?.code ?? error.name})`);
      return null;
    }
    const text = await res.text();
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    const problem =
      res.status >= 500 ? `${res.status} ${text.slice(0, 200)}` : check(operation.op, res.status, res.headers.get("content-type"), text);
    if (problem) violations.push(`${where} → ${res.status}: ${problem}`);
    return { status: res.status, text };
  };

  /**
   * The secret-key request's twin: without the secret key, HMAC-signed with the merchant's signing
   * key over what goes on the wire (fetch normalizes the path: `%2E%2E` is sent as `..`), with a
   * fresh nonce (the fuzz sends identical requests within a second) and a fresh Idempotency-Key (the
   * same key would replay the first answer instead of running the request), unless the key is the case.
   */
  const signedTwin = (label, method, target, headers, body) => {
    const { authorization: _dropped, ...rest } = headers;
    const key = rest["idempotency-key"] !== undefined && !label.startsWith("Idempotency-Key") ? { "idempotency-key": randomUUID() } : {};
    const wire = new URL(url + target);
    return { ...rest, ...key, ...signatureHeaders(signing, method, wire.pathname + wire.search, body, { nonce: randomUUID() }) };
  };

  for (const operation of operations) {
    const cases = casesFor(doc, await fixturesFor(operation), operation, random);
    const method = operation.method.toUpperCase();
    const ending = fixturesFor.ending(operation);
    const bySecretKey = (operation.op.security ?? []).some((r) => "SecretKey" in r);
    // The valid request's signed twin acts on an object of its own where the valid request ends one.
    const twinOfValid = ending && bySecretKey ? casesFor(doc, await fixturesFor(operation), operation, () => 0.5)[0] : null;
    const bounded = fixturesFor.bounded(operation);
    /** One case: sent with its credentials, and again signed when those are the secret key. */
    const run = async ([label, target, headers, body]) => {
      const where = `${method} ${operation.path} [${label}]`;
      const first = await send(operation, where, target, headers, body);
      if (!first) return;
      if (label === "valid") valid.push(`${where} → ${first.status}${first.status >= 300 ? ` ${first.text.slice(0, 160)}` : ""}`);
      if (headers.authorization !== secretAuth) return;
      const [, twinTarget, twinHeaders, twinBody] = label === "valid" && twinOfValid ? twinOfValid : [label, target, headers, body];
      signed.requests++;
      const twin = await send(
        operation,
        `${where} (signed)`,
        twinTarget,
        signedTwin(label, method, twinTarget, twinHeaders, twinBody),
        twinBody,
      );
      if (!twin) return;
      if (label === "valid") valid.push(`${where} (signed) → ${twin.status}${twin.status >= 300 ? ` ${twin.text.slice(0, 160)}` : ""}`);
      const how = comparison(operation, { ending, bounded }, label, first.status, twin.status);
      if (how === null) {
        signed.not_compared++;
        return;
      }
      signed.compared++;
      const agree = how === "same" ? twin.status === first.status : Math.floor(twin.status / 100) === Math.floor(first.status / 100);
      if (agree) signed.agreed++;
      else {
        signed.mismatched++;
        violations.push(`${where}: ${first.status} with the secret key, ${twin.status} signed ${twin.text.slice(0, 160)}`);
      }
    };
    // The valid request first and alone: it, not another case that happens to be valid too (the
    // capture with no amount), is the one that acts on the fresh object, as its twin does on its own.
    await run(cases[0]);
    let next = 1;
    const worker = async () => {
      while (next < cases.length) await run(cases[next++]);
    };
    await Promise.all(Array.from({ length: AT_ONCE }, worker));
  }

  // What the fuzz did with valid requests must still add up.
  const auth = { authorization: `Bearer ${owner.secret_key}` };
  const money = [];
  for (const currency of ["IQD", "USD"]) {
    const audit = (await api.definite("GET", `/api/v1/ledger/audit?currency=${currency}`, undefined, auth)).body.data;
    if (!audit.balanced) money.push(`audit ${currency} not balanced`);
  }
  for (const user of [objects.user, objects.other]) {
    const wallet = (await api.definite("GET", `/api/v1/embedded/users/${user}/wallet`, undefined, auth)).body.data;
    const iqd = wallet.balances.find((b) => b.currency === "IQD");
    const problem = await chainProblems(api, auth, user, wallet.wallet_id, iqd);
    if (problem) money.push(`${user}: ${problem}`);
  }
  violations.push(...money);
  return {
    seed,
    operations: operations.length,
    requests,
    signed,
    statuses,
    server_errors: Object.entries(statuses)
      .filter(([s]) => Number(s) >= 500)
      .reduce((n, [, c]) => n + c, 0),
    money_problems: money.length,
    violations: violations.length,
    details: violations.slice(0, 40),
    valid_requests: valid.length,
    valid_2xx: valid.filter((v) => / → 2\d\d$/.test(v)).length,
    valid,
  };
}
